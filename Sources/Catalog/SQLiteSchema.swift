/// The SQLite schema, as numbered migrations applied in order, each once.
enum SQLiteSchema {
    /// (version, name, SQL). Never edit a published migration: add the next one.
    static let migrations: [(version: Int, name: String, sql: String)] = [
        (1, "runs, files, problems, logs", """
            CREATE TABLE runs (
                id INTEGER PRIMARY KEY,
                policy TEXT NOT NULL,
                trigger TEXT NOT NULL,
                started_at TEXT NOT NULL,
                finished_at TEXT,
                pass_stamp TEXT NOT NULL,
                status TEXT NOT NULL,
                files_compressed INTEGER NOT NULL DEFAULT 0,
                files_duplicate INTEGER NOT NULL DEFAULT 0,
                files_skipped INTEGER NOT NULL DEFAULT 0,
                files_failed INTEGER NOT NULL DEFAULT 0,
                files_unchanged INTEGER NOT NULL DEFAULT 0,
                bytes_in INTEGER NOT NULL DEFAULT 0,
                bytes_out INTEGER NOT NULL DEFAULT 0,
                error TEXT,
                host TEXT NOT NULL
            );
            CREATE INDEX runs_policy ON runs(policy, id);
            CREATE TABLE files (
                id INTEGER PRIMARY KEY,
                policy TEXT NOT NULL,
                run_id INTEGER NOT NULL REFERENCES runs(id),
                source_path TEXT NOT NULL,
                size INTEGER NOT NULL,
                mtime_ns INTEGER NOT NULL,
                sha256 TEXT NOT NULL,
                destination_path TEXT NOT NULL,
                stored_size INTEGER NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('stored', 'duplicate')),
                duplicate_of INTEGER REFERENCES files(id),
                state TEXT NOT NULL CHECK (state IN ('pending', 'stored')),
                source_device INTEGER NOT NULL,
                source_inode INTEGER NOT NULL,
                disposition TEXT NOT NULL,
                created_at TEXT NOT NULL
            );
            CREATE INDEX files_content ON files(policy, sha256) WHERE kind = 'stored';
            CREATE INDEX files_source ON files(policy, source_path, id);
            CREATE INDEX files_run ON files(run_id);
            CREATE INDEX files_open ON files(policy, state, disposition);
            CREATE TABLE problems (
                id INTEGER PRIMARY KEY,
                run_id INTEGER NOT NULL REFERENCES runs(id),
                path TEXT NOT NULL,
                outcome TEXT NOT NULL,
                reason TEXT NOT NULL
            );
            CREATE INDEX problems_run ON problems(run_id);
            CREATE TABLE logs (
                id INTEGER PRIMARY KEY,
                time TEXT NOT NULL,
                level TEXT NOT NULL,
                level_rank INTEGER NOT NULL,
                run_id INTEGER,
                policy TEXT,
                message TEXT NOT NULL,
                metadata TEXT NOT NULL
            );
            CREATE INDEX logs_time ON logs(time);
            CREATE INDEX logs_run ON logs(run_id);
            CREATE INDEX logs_policy ON logs(policy, time);
            """),
        (2, "encryption key id, verification, pruning", """
            ALTER TABLE files ADD COLUMN key_id TEXT;
            ALTER TABLE files ADD COLUMN verified_at TEXT;
            ALTER TABLE files ADD COLUMN verify_error TEXT;
            ALTER TABLE files ADD COLUMN pruned_at TEXT;
            CREATE INDEX files_created ON files(policy, created_at);
            """),
        (3, "uploads, files.local_copy, runs.email_status", """
            CREATE TABLE uploads (
                id INTEGER PRIMARY KEY,
                file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
                target TEXT NOT NULL,
                bucket TEXT NOT NULL,
                object_key TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('pending', 'uploaded')),
                url TEXT,
                etag TEXT,
                attempts INTEGER NOT NULL DEFAULT 0,
                last_error TEXT,
                queued_at TEXT NOT NULL,
                uploaded_at TEXT,
                UNIQUE (file_id, target)
            );
            CREATE INDEX uploads_open ON uploads(state, target);
            ALTER TABLE files ADD COLUMN local_copy TEXT NOT NULL DEFAULT 'kept' CHECK (local_copy IN ('kept', 'drop', 'removed'));
            ALTER TABLE runs ADD COLUMN email_status TEXT;
            """),
        (4, "files.archive_member", """
            ALTER TABLE files ADD COLUMN archive_member TEXT;
            """),
        (5, "policies: the controller's observed state", """
            CREATE TABLE policies (
                policy TEXT PRIMARY KEY,
                namespace TEXT NOT NULL,
                name TEXT NOT NULL,
                uid TEXT,
                generation INTEGER,
                schedule TEXT NOT NULL,
                suspended INTEGER NOT NULL,
                ready TEXT NOT NULL,
                reason TEXT,
                message TEXT,
                active_jobs TEXT NOT NULL,
                last_run_result TEXT,
                last_schedule_time TEXT,
                last_success_time TEXT,
                next_run_at TEXT,
                spec TEXT NOT NULL,
                status TEXT NOT NULL,
                observed_at TEXT NOT NULL,
                observed_by TEXT NOT NULL
            );
            CREATE INDEX policies_namespace ON policies(namespace, name);
            """),
        // The API's /files?q= is indexed on PostgreSQL only (pg_trgm, where the catalog of a cluster grows). On SQLite
        // an FTS5 trigram index kept in step by triggers cost ~30 µs per inserted row on the pass's single commit
        // thread (about a fifth of the small-file throughput), so a local search scans `files` instead. The
        // migration stays, with PostgreSQL's version and name, so both catalogs count the same schema versions.
        (6, "path search index", """
            SELECT 1;
            """),
        // A run's files in report order (source path, then id), so a report reads them page by page from where the
        // last page ended; it also serves every lookup by run, so it replaces files_run (no extra index per insert).
        (7, "files by run and source path", """
            CREATE INDEX files_run_source ON files(run_id, source_path, id);
            DROP INDEX files_run;
            """),
    ]
}
