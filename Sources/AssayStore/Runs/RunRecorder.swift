import Foundation
internal import GRDB

/// Records one run: begin it with its recipe, write its outputs, then ``commit(names:)`` or
/// ``fail(_:)``.
///
/// Outputs are written to the store as they are added (durable blobs); the run row, its inputs,
/// its outputs and any names are inserted in one transaction at commit. A run is therefore never
/// visible before its outputs exist, and a process killed mid-run leaves at most unreferenced
/// blobs, which are harmless.
///
/// ```swift
/// let run = try ws.beginRun(Recipe(operation: "sample", operationVersion: 1,
///                                   parameters: ["rows": 50], seed: 7,
///                                   inputs: [RunArtifact(role: "source", id: src)]))
/// let out = try run.addOutput(bytes: sampled, role: "sample", kind: "dataset")
/// let info = try run.commit(names: ["iris-sample": out])
/// ```
public final class RunRecorder: @unchecked Sendable {
    // @unchecked: mutable state is guarded by `lock`; a recorder is normally used by one task.
    private let lock = NSLock()
    public let workspace: Workspace
    public let id: RunID
    public let recipe: Recipe
    public let recipeDigest: String
    private let started: Date
    private var outputs: [(RunArtifact, kind: String, size: Int64)] = []
    private var finished = false
    private var measurementDocument: JSONValue?

    /// Sets the run's measurements (times, memory, latencies), stored at commit beside the run
    /// and never part of its recipe or outputs. See ``Workspace/measurements(run:)``.
    public func setMeasurements(_ document: JSONValue) {
        lock.withLock { measurementDocument = document }
    }

    init(workspace: Workspace, recipe: Recipe) throws(StoreError) {
        self.workspace = workspace
        self.recipe = recipe
        self.started = Date()
        self.id = RunID(date: started)
        do { self.recipeDigest = try recipe.digest() } catch {
            throw .invalidRun("parameters cannot be made canonical: \(error)")
        }
        let missing = try workspace.database.read { db in
            try recipe.inputs.filter { input in
                try !Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM artifact WHERE id = ?)", arguments: [input.id.rawValue])!
            }
        }
        if let first = missing.first {
            throw .invalidRun("input \(first.role) \(first.id) is not in the store")
        }
    }

    /// Streams a file into the store as an output of this run.
    @discardableResult
    public func addOutput(fileAt path: String, role: String, kind: String, progress: ((Int64) -> Void)? = nil) throws(StoreError) -> ArtifactID {
        let (id, size) = try workspace.blobs.put(fileAt: path, progress: progress)
        append(RunArtifact(role: role, id: id), kind: kind, size: size)
        return id
    }

    /// Stores bytes as an output of this run.
    @discardableResult
    public func addOutput(bytes: [UInt8], role: String, kind: String) throws(StoreError) -> ArtifactID {
        let (id, size) = try workspace.blobs.put(bytes: bytes)
        append(RunArtifact(role: role, id: id), kind: kind, size: size)
        return id
    }

    private func append(_ artifact: RunArtifact, kind: String, size: Int64) {
        lock.lock()
        defer { lock.unlock() }
        outputs.append((artifact, kind, size))
    }

    /// Commits the run as succeeded, with its outputs and the given names, in one transaction.
    @discardableResult
    public func commit(names: [String: ArtifactID] = [:], alerts: [AlertRecord] = []) throws(StoreError) -> RunInfo {
        for name in names.keys { try Workspace.validateName(name) }
        let outs = lock.withLock { outputs }
        for (artifact, _, _) in outs where !workspace.blobs.contains(artifact.id) {
            throw .invalidRun("output \(artifact.role) \(artifact.id) is missing from the store")
        }
        for (name, id) in names where !outs.contains(where: { $0.0.id == id }) && !recipe.inputs.contains(where: { $0.id == id }) {
            throw .invalidRun("name \(name) points at \(id), which is neither an input nor an output of the run")
        }
        for alert in alerts {
            guard alert.run == id else { throw .invalidRun("alert \(alert.id) belongs to run \(alert.run), not \(id)") }
            for (role, id) in [("alert", alert.id), ("evidence", alert.evidence), ("result", alert.result)]
            where !outs.contains(where: { $0.0.id == id }) {
                throw .invalidRun("alert \(alert.id): its \(role) \(id) is not an output of the run")
            }
        }
        return try insert(status: .succeeded, error: nil, outputs: outs, names: names, alerts: alerts)
    }

    /// Records the run as failed with `error`'s description. Outputs already written stay in the
    /// store as unreferenced blobs; they are not attached to the failed run.
    @discardableResult
    public func fail(_ error: any Error) throws(StoreError) -> RunInfo {
        try insert(status: .failed, error: String(describing: error), outputs: [], names: [:], alerts: [])
    }

    private func insert(status: RunStatus, error: String?, outputs outs: [(RunArtifact, kind: String, size: Int64)], names: [String: ArtifactID], alerts: [AlertRecord]) throws(StoreError) -> RunInfo {
        let already = lock.withLock { () -> Bool in
            defer { finished = true }
            return finished
        }
        if already { throw .invalidRun("run \(id) was already recorded") }
        let ended = Timestamp.now()
        let startedText = Timestamp.format(started)
        let parameters: String
        let environment: String
        do {
            parameters = try recipe.parameters.canonicalString
            environment = try RunEnvironment.current.canonicalString
        } catch {
            throw .invalidRun("cannot encode run: \(error)")
        }
        let measured = try lock.withLock { measurementDocument }.map { (m: JSONValue) throws(StoreError) -> String in
            do { return try m.canonicalString } catch { throw .invalidRun("cannot encode measurements: \(error)") }
        }
        let uniqueOutputs = Dictionary(outs.map { ($0.0, $0) }, uniquingKeysWith: { a, _ in a }).values.sorted { $0.0 < $1.0 }
        try workspace.database.write { db in
            for (artifact, kind, size) in uniqueOutputs {
                try db.execute(sql: "INSERT OR IGNORE INTO artifact(id, size, kind, created_at) VALUES (?, ?, ?, ?)",
                               arguments: [artifact.id.rawValue, size, kind, ended])
            }
            try db.execute(sql: """
                INSERT INTO run(id, operation, operation_version, parameters, seed, recipe_digest, environment, status, started_at, ended_at, error)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [id.rawValue, recipe.operation, recipe.operationVersion, parameters,
                                 recipe.seed.map { String($0) }, recipeDigest, environment, status.rawValue,
                                 startedText, ended, error])
            for input in recipe.inputs {
                try db.execute(sql: "INSERT OR IGNORE INTO run_input(run_id, role, artifact_id) VALUES (?, ?, ?)",
                               arguments: [id.rawValue, input.role, input.id.rawValue])
            }
            for (artifact, _, _) in uniqueOutputs {
                try db.execute(sql: "INSERT OR IGNORE INTO run_output(run_id, role, artifact_id) VALUES (?, ?, ?)",
                               arguments: [id.rawValue, artifact.role, artifact.id.rawValue])
            }
            for (name, target) in names.sorted(by: { $0.key < $1.key }) {
                try Workspace.setName(db, name: name, to: target, at: ended, runID: id)
            }
            for alert in alerts { try AlertRecord.insert(alert, run: id, at: ended, in: db) }
            if let measured, status == .succeeded {
                try db.execute(sql: "INSERT OR REPLACE INTO measurement(run_id, document) VALUES (?, ?)", arguments: [id.rawValue, measured])
            }
        }
        return RunInfo(id: id, operation: recipe.operation, operationVersion: recipe.operationVersion,
                       parameters: recipe.parameters, seed: recipe.seed, recipeDigest: recipeDigest,
                       environment: RunEnvironment.current, status: status, startedAt: startedText,
                       endedAt: ended, error: error, inputs: recipe.inputs,
                       outputs: uniqueOutputs.map(\.0))
    }
}

extension Workspace {
    /// Begins a run of `recipe`. Its inputs must already be in the store.
    /// - Throws: ``StoreError/invalidRun(_:)`` when an input is missing or the parameters cannot
    ///   be made canonical (NaN, infinity).
    public func beginRun(_ recipe: Recipe) throws(StoreError) -> RunRecorder {
        try RunRecorder(workspace: self, recipe: recipe)
    }

    /// Runs `body` as a recorded run: commits when it returns, records the failure when it throws
    /// (then rethrows the original error).
    public func record<T>(_ recipe: Recipe, names: (T) -> [String: ArtifactID] = { _ in [:] },
                          _ body: (RunRecorder) throws -> T) throws -> (T, RunInfo) {
        let run = try beginRun(recipe)
        let value: T
        do {
            value = try body(run)
        } catch {
            _ = try? run.fail(error)
            throw error
        }
        return (value, try run.commit(names: names(value)))
    }
}
