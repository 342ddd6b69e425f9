/// The keys a policy document may hold, so that a typo is an error naming the key
/// instead of a setting silently ignored.
indirect enum PolicyKeys {
    /// A mapping with these keys.
    case object([String: PolicyKeys])
    /// A scalar or list of scalars.
    case leaf
    /// Anything (Kubernetes objects PyBak passes through).
    case any

    static let spec: PolicyKeys = .object([
        "schedule": .leaf, "suspend": .leaf,
        "source": .object([
            "volume": .any, "path": .leaf, "include": .leaf, "exclude": .leaf, "minAge": .leaf,
        ]),
        "destination": .object(["volume": .any, "path": .leaf]),
        "compression": .object(["format": .leaf, "level": .leaf]),
        "encryption": .object(["keySecretRef": .any, "keyFile": .leaf, "passphraseFile": .leaf]),
        "cloud": .any,
        "keepLocalCopy": .leaf, "keepSource": .leaf,
        "report": .any,
        "retention": .object(["keepLast": .leaf, "keepWithin": .leaf, "keepDaily": .leaf, "keepWeekly": .leaf, "keepMonthly": .leaf]),
        "parallelism": .leaf, "workers": .leaf,
        "successfulJobsHistoryLimit": .leaf, "failedJobsHistoryLimit": .leaf,
        "podTemplate": .any,
    ])

    static let document: PolicyKeys = .object([
        "apiVersion": .leaf, "kind": .leaf, "metadata": .any, "spec": spec, "status": .any,
    ])

    var keys: [String: PolicyKeys]? {
        if case .object(let keys) = self { return keys }
        return nil
    }
}
