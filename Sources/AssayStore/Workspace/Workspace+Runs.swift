import Foundation
internal import GRDB

extension Workspace {
    /// The run with this id, or `nil`.
    public func run(_ id: RunID) throws(StoreError) -> RunInfo? {
        try runs(whereSQL: "r.id = ?", arguments: [id.rawValue], limit: 1).first
    }

    /// Recorded runs, newest first.
    /// - Parameters:
    ///   - operation: only runs of this operation.
    ///   - limit: at most this many.
    public func runs(operation: String? = nil, limit: Int? = nil) throws(StoreError) -> [RunInfo] {
        if let operation { return try runs(whereSQL: "r.operation = ?", arguments: [operation], limit: limit) }
        return try runs(whereSQL: "1", arguments: [], limit: limit)
    }

    /// Runs that produced `artifact`, newest first.
    public func producers(of artifact: ArtifactID) throws(StoreError) -> [RunInfo] {
        try runs(whereSQL: "r.id IN (SELECT run_id FROM run_output WHERE artifact_id = ?)", arguments: [artifact.rawValue], limit: nil)
    }

    /// Runs that read `artifact`, newest first.
    public func consumers(of artifact: ArtifactID) throws(StoreError) -> [RunInfo] {
        try runs(whereSQL: "r.id IN (SELECT run_id FROM run_input WHERE artifact_id = ?)", arguments: [artifact.rawValue], limit: nil)
    }

    func runs(whereSQL: String, arguments: StatementArguments, limit: Int?) throws(StoreError) -> [RunInfo] {
        let rows: [(Row, [Row], [Row])] = try database.read { db in
            let runs = try Row.fetchAll(db, sql: "SELECT * FROM run r WHERE \(whereSQL) ORDER BY r.started_at DESC, r.id DESC" + (limit.map { " LIMIT \($0)" } ?? ""), arguments: arguments)
            return try runs.map { row in
                let id: String = row["id"]
                let ins = try Row.fetchAll(db, sql: "SELECT role, artifact_id FROM run_input WHERE run_id = ? ORDER BY role, artifact_id", arguments: [id])
                let outs = try Row.fetchAll(db, sql: "SELECT role, artifact_id FROM run_output WHERE run_id = ? ORDER BY role, artifact_id", arguments: [id])
                return (row, ins, outs)
            }
        }
        var result: [RunInfo] = []
        for (row, ins, outs) in rows { result.append(try Workspace.decodeRun(row, inputs: ins, outputs: outs)) }
        return result
    }

    static func decodeRun(_ row: Row, inputs: [Row], outputs: [Row]) throws(StoreError) -> RunInfo {
        let idText: String = row["id"]
        guard let id = RunID(validating: idText) else { throw .database("malformed run id \(idText.debugDescription)") }
        func json(_ column: String) throws(StoreError) -> JSONValue {
            let text: String = row[column]
            do { return try JSONValue.parse(Array(text.utf8)) } catch {
                throw .database("run \(idText): column \(column) is not JSON: \(error)")
            }
        }
        func artifacts(_ rows: [Row]) throws(StoreError) -> [RunArtifact] {
            var out: [RunArtifact] = []
            for r in rows { out.append(RunArtifact(role: r["role"], id: try ArtifactID(r["artifact_id"] as String))) }
            return out
        }
        let seedText: String? = row["seed"]
        let statusText: String = row["status"]
        return RunInfo(id: id, operation: row["operation"], operationVersion: row["operation_version"],
                       parameters: try json("parameters"), seed: seedText.flatMap { UInt64($0) },
                       recipeDigest: row["recipe_digest"], environment: try json("environment"),
                       status: RunStatus(rawValue: statusText) ?? .failed, startedAt: row["started_at"],
                       endedAt: row["ended_at"], error: row["error"],
                       inputs: try artifacts(inputs), outputs: try artifacts(outputs))
    }
}
