// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "pybak",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "pybak", targets: ["pybak"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
    ],
    targets: [
        // C libraries: a module map and a shim header each, nothing else.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        // POSIX calls Swift cannot reach directly (renameat2, syncfs, variadic open, S_IS* macros).
        // (Named CPOSIX, not CSystem: swift-system, which swift-nio depends on, has a CSystem target.)
        .systemLibrary(name: "CPOSIX"),

        // The shared model: policy, durations, globs, naming, errors.
        .target(
            name: "PyBakCore",
            dependencies: [
                .product(name: "Yams", package: "Yams")
            ]
        ),
        // Streams: gzip (zlib) and SHA-256 (OpenSSL).
        .target(name: "Archive", dependencies: ["CZlib", "COpenSSL", "PyBakCore"]),
        // The catalog protocol and its SQLite and PostgreSQL (libpq) implementations.
        .target(
            name: "Catalog",
            dependencies: [
                "CSQLite", "CLibPQ", "PyBakCore",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // One pass: scan -> plan -> compress -> commit -> report.
        .target(
            name: "BackupPipeline",
            dependencies: [
                "Archive", "Catalog", "PyBakCore", "CPOSIX", "Uploaders",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Restore, verify and listing: stored copies read back through a StoredObjectSource.
        .target(
            name: "Recovery",
            dependencies: [
                "Archive", "Catalog", "PyBakCore", "CPOSIX",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // HTTP and SMTP over libcurl: TLS, streamed bodies, retries with backoff (S3, GCS, Kubernetes, OIDC, mail).
        .target(
            name: "Transport",
            dependencies: [
                "CCurl",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Off-site copies: S3 (SigV4 on OpenSSL) and GCS uploaders over Transport, one folder each.
        .target(
            name: "Uploaders",
            dependencies: [
                "Archive", "Transport", "COpenSSL", "PyBakCore",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Report e-mail: a MIME multipart/alternative message sent through Transport's SMTP client.
        .target(
            name: "Mailer",
            dependencies: [
                "Transport", "PyBakCore",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The Kubernetes API client over Transport: meta/v1 types, config, REST verbs, watch, informer.
        .target(
            name: "KubeClient",
            dependencies: [
                "Transport", "PyBakCore", "CZlib",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Kubernetes kinds PyBak reads and writes: BackupPolicy, CronJob, Job, Lease, Event.
        .target(name: "KubeModels", dependencies: ["KubeClient", "PyBakCore"]),
        // The operator: desired CronJob, status, reconciler, work queue, leader election.
        .target(
            name: "Controller",
            dependencies: [
                "KubeClient", "KubeModels", "PyBakCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The REST API, its OAuth 2 bearer-token checks and the dashboard (Hummingbird).
        .target(
            name: "APIServer",
            dependencies: [
                "Catalog", "COpenSSL", "PyBakCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The executable: wires everything, one file per subcommand.
        .executableTarget(
            name: "pybak",
            dependencies: [
                "APIServer", "BackupPipeline", "Catalog", "PyBakCore", "Archive", "Recovery", "Uploaders", "Transport", "Mailer",
                "Controller", "KubeModels", "KubeClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        .testTarget(name: "PyBakCoreTests", dependencies: ["PyBakCore"]),
        .testTarget(name: "ArchiveTests", dependencies: ["Archive"]),
        .testTarget(name: "CatalogTests", dependencies: ["Catalog"]),
        .testTarget(name: "BackupPipelineTests", dependencies: ["BackupPipeline", "Catalog", "Archive", "Uploaders"]),
        .testTarget(name: "RecoveryTests", dependencies: ["Recovery", "BackupPipeline", "Catalog", "Archive"]),
        .testTarget(name: "TransportTests", dependencies: ["Transport"]),
        .testTarget(name: "UploadersTests", dependencies: ["Uploaders", "Archive", "Transport", "PyBakCore", "COpenSSL"], exclude: ["Fixtures"]),
        .testTarget(
            name: "KubeClientTests",
            dependencies: ["KubeClient", "Transport", "PyBakCore", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")]
        ),
        .testTarget(name: "ControllerTests", dependencies: ["Controller", "KubeModels", "KubeClient", "PyBakCore"]),
        .testTarget(
            name: "APIServerTests",
            dependencies: [
                "APIServer", "Catalog", .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
