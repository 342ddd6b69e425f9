/// The PostgreSQL schema: the SQLite schema's tables and columns with PostgreSQL types, as numbered
/// migrations applied in order, each once, under an advisory lock. Times stay ISO 8601 UTC text (as in
/// SQLite) with the "C" collation, so they sort and compare chronologically under any database locale.
enum PostgresSchema {
    /// (version, name, SQL). Never edit a published migration: add the next one (and SQLite's twin).
    static let migrations: [(version: Int, name: String, sql: String)] = [
        (1, "runs, files, problems, logs", """
            CREATE TABLE runs (
                id BIGSERIAL PRIMARY KEY,
                policy TEXT NOT NULL,
                trigger TEXT NOT NULL,
                started_at TEXT COLLATE "C" NOT NULL,
                finished_at TEXT COLLATE "C",
                pass_stamp TEXT NOT NULL,
                status TEXT NOT NULL,
                files_compressed BIGINT NOT NULL DEFAULT 0,
                files_duplicate BIGINT NOT NULL DEFAULT 0,
                files_skipped BIGINT NOT NULL DEFAULT 0,
                files_failed BIGINT NOT NULL DEFAULT 0,
                files_unchanged BIGINT NOT NULL DEFAULT 0,
                bytes_in BIGINT NOT NULL DEFAULT 0,
                bytes_out BIGINT NOT NULL DEFAULT 0,
                error TEXT,
                host TEXT NOT NULL
            );
            CREATE INDEX runs_policy ON runs(policy, id);
            CREATE TABLE files (
                id BIGSERIAL PRIMARY KEY,
                policy TEXT NOT NULL,
                run_id BIGINT NOT NULL REFERENCES runs(id),
                source_path TEXT COLLATE "C" NOT NULL,
                size BIGINT NOT NULL,
                mtime_ns BIGINT NOT NULL,
                sha256 TEXT NOT NULL,
                destination_path TEXT NOT NULL,
                stored_size BIGINT NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('stored', 'duplicate')),
                duplicate_of BIGINT REFERENCES files(id),
                state TEXT NOT NULL CHECK (state IN ('pending', 'stored')),
                source_device BIGINT NOT NULL,
                source_inode BIGINT NOT NULL,
                disposition TEXT NOT NULL,
                created_at TEXT COLLATE "C" NOT NULL
            );
            CREATE INDEX files_content ON files(policy, sha256) WHERE kind = 'stored';
            CREATE INDEX files_source ON files(policy, source_path, id);
            CREATE INDEX files_run ON files(run_id);
            CREATE INDEX files_open ON files(policy, state, disposition);
            CREATE TABLE problems (
                id BIGSERIAL PRIMARY KEY,
                run_id BIGINT NOT NULL REFERENCES runs(id),
                path TEXT COLLATE "C" NOT NULL,
                outcome TEXT COLLATE "C" NOT NULL,
                reason TEXT NOT NULL
            );
            CREATE INDEX problems_run ON problems(run_id);
            CREATE TABLE logs (
                id BIGSERIAL PRIMARY KEY,
                time TEXT COLLATE "C" NOT NULL,
                level TEXT NOT NULL,
                level_rank INTEGER NOT NULL,
                run_id BIGINT,
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
            ALTER TABLE files ADD COLUMN verified_at TEXT COLLATE "C";
            ALTER TABLE files ADD COLUMN verify_error TEXT;
            ALTER TABLE files ADD COLUMN pruned_at TEXT COLLATE "C";
            CREATE INDEX files_created ON files(policy, created_at);
            """),
        (3, "uploads, files.local_copy, runs.email_status", """
            CREATE TABLE uploads (
                id BIGSERIAL PRIMARY KEY,
                file_id BIGINT NOT NULL REFERENCES files(id) ON DELETE CASCADE,
                target TEXT NOT NULL,
                bucket TEXT NOT NULL,
                object_key TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('pending', 'uploaded')),
                url TEXT,
                etag TEXT,
                attempts BIGINT NOT NULL DEFAULT 0,
                last_error TEXT,
                queued_at TEXT COLLATE "C" NOT NULL,
                uploaded_at TEXT COLLATE "C",
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
                policy TEXT COLLATE "C" PRIMARY KEY,
                namespace TEXT NOT NULL,
                name TEXT NOT NULL,
                uid TEXT,
                generation BIGINT,
                schedule TEXT NOT NULL,
                suspended BOOLEAN NOT NULL,
                ready TEXT NOT NULL,
                reason TEXT,
                message TEXT,
                active_jobs TEXT NOT NULL,
                last_run_result TEXT,
                last_schedule_time TEXT COLLATE "C",
                last_success_time TEXT COLLATE "C",
                next_run_at TEXT COLLATE "C",
                spec TEXT NOT NULL,
                status TEXT NOT NULL,
                observed_at TEXT COLLATE "C" NOT NULL,
                observed_by TEXT NOT NULL
            );
            CREATE INDEX policies_namespace ON policies(namespace, name);
            """),
        // The API's /files?q= (ILIKE '%text%' on the source or destination path): trigram GIN indexes (pg_trgm, a
        // "trusted" contrib extension the database owner may create). pg_trgm goes into `public` when allowed, else
        // the current schema; an existing one is used where it is. Without pg_trgm the migration still succeeds (with
        // a WARNING) and searches scan the table, as before.
        (6, "path search index", """
            DO $$
            BEGIN
                BEGIN
                    CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
                EXCEPTION WHEN OTHERS THEN
                    BEGIN
                        CREATE EXTENSION IF NOT EXISTS pg_trgm;
                    EXCEPTION WHEN OTHERS THEN
                        RAISE WARNING 'pybak: cannot create the pg_trgm extension (%); /files?q= searches will scan the files table. Have a superuser run CREATE EXTENSION pg_trgm in this database, then REINDEX is not needed: run pybak catalog migrate again after dropping the row of version 4 from schema_migrations.', SQLERRM;
                    END;
                END;
            END $$;
            DO $$
            DECLARE
                trgm_schema TEXT;
            BEGIN
                SELECT extnamespace::regnamespace::text INTO trgm_schema FROM pg_extension WHERE extname = 'pg_trgm';
                IF trgm_schema IS NOT NULL THEN
                    EXECUTE format('CREATE INDEX files_source_trgm ON files USING gin (source_path %s.gin_trgm_ops)', trgm_schema);
                    EXECUTE format('CREATE INDEX files_destination_trgm ON files USING gin (destination_path %s.gin_trgm_ops)', trgm_schema);
                END IF;
            END $$;
            """),
        // A run's files in report order (source path, then id), so a report reads them page by page from where the
        // last page ended; it also serves every lookup by run, so it replaces files_run (no extra index per insert).
        (7, "files by run and source path", """
            CREATE INDEX files_run_source ON files(run_id, source_path, id);
            DROP INDEX files_run;
            """),
    ]
}
