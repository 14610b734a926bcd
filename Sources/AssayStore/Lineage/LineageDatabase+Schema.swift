internal import GRDB

extension LineageDatabase {
    /// Schema migrations, registered by name, written in table terms, never edited once shipped.
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1-artifacts-runs-names") { db in
            try db.execute(sql: """
                CREATE TABLE artifact (
                    id TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 71 AND substr(id, 1, 7) = 'sha256:'),
                    size INTEGER NOT NULL CHECK (size >= 0),
                    kind TEXT NOT NULL,
                    created_at TEXT NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX artifact_kind ON artifact(kind);

                CREATE TABLE run (
                    id TEXT PRIMARY KEY NOT NULL,
                    operation TEXT NOT NULL,
                    operation_version INTEGER NOT NULL,
                    parameters TEXT NOT NULL,
                    seed TEXT,
                    recipe_digest TEXT NOT NULL,
                    environment TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('succeeded', 'failed')),
                    started_at TEXT NOT NULL,
                    ended_at TEXT NOT NULL,
                    error TEXT
                ) WITHOUT ROWID;
                CREATE INDEX run_recipe ON run(recipe_digest);
                CREATE INDEX run_started ON run(started_at);

                CREATE TABLE run_input (
                    run_id TEXT NOT NULL REFERENCES run(id),
                    role TEXT NOT NULL,
                    artifact_id TEXT NOT NULL REFERENCES artifact(id),
                    PRIMARY KEY (run_id, role, artifact_id)
                ) WITHOUT ROWID;
                CREATE INDEX run_input_by_artifact ON run_input(artifact_id, run_id);

                CREATE TABLE run_output (
                    run_id TEXT NOT NULL REFERENCES run(id),
                    role TEXT NOT NULL,
                    artifact_id TEXT NOT NULL REFERENCES artifact(id),
                    PRIMARY KEY (run_id, role, artifact_id)
                ) WITHOUT ROWID;
                CREATE INDEX run_output_by_artifact ON run_output(artifact_id, run_id);

                CREATE TABLE name (
                    name TEXT PRIMARY KEY NOT NULL,
                    artifact_id TEXT NOT NULL REFERENCES artifact(id),
                    updated_at TEXT NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX name_by_artifact ON name(artifact_id);

                CREATE TABLE name_history (
                    name TEXT NOT NULL,
                    artifact_id TEXT NOT NULL REFERENCES artifact(id),
                    previous_artifact_id TEXT,
                    set_at TEXT NOT NULL,
                    run_id TEXT
                );
                CREATE INDEX name_history_by_name ON name_history(name, set_at);
                """)
        }
        m.registerMigration("v2-alerts") { db in
            // One row per detector firing of a replay: the alert document (an artifact holding
            // every digest of its evidence) and the figures `assay alerts` lists.
            try db.execute(sql: """
                CREATE TABLE alert (
                    id TEXT NOT NULL REFERENCES artifact(id),
                    run_id TEXT NOT NULL REFERENCES run(id),
                    component TEXT NOT NULL,
                    detector_id TEXT NOT NULL REFERENCES artifact(id),
                    detector_kind TEXT NOT NULL,
                    window_index INTEGER NOT NULL CHECK (window_index >= 0),
                    first_event INTEGER NOT NULL,
                    end_event INTEGER NOT NULL,
                    window_start TEXT,
                    window_end TEXT,
                    statistic REAL,
                    p_value REAL,
                    threshold REAL,
                    evidence_id TEXT NOT NULL REFERENCES artifact(id),
                    result_id TEXT NOT NULL REFERENCES artifact(id),
                    created_at TEXT NOT NULL,
                    PRIMARY KEY (run_id, id)
                ) WITHOUT ROWID;
                CREATE INDEX alert_by_id ON alert(id);
                """)
        }
        m.registerMigration("v3-measurements") { db in
            // How a run went (wall and CPU time, peak memory, model-call latencies, throughput):
            // recorded beside the run, never inside its recipe or its outputs, so measuring never
            // changes an id.
            try db.execute(sql: """
                CREATE TABLE measurement (
                    run_id TEXT PRIMARY KEY REFERENCES run(id),
                    document TEXT NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        return m
    }
}
