internal import GRDB

extension Workspace {
    /// The lineage reachable from `root` going `direction`, at most `depth` edges away (all when
    /// `nil`). The walk is one recursive SQL query.
    ///
    /// - Complexity: O(E log N) for E edges reached, through the `run_output_by_artifact` and
    ///   `run_input_by_artifact` indexes and the primary keys.
    public func lineage(of root: ResolvedReference, direction: LineageDirection, depth: Int? = nil) throws(StoreError) -> LineageGraph {
        let (start, startIsRun): (String, Int) = switch root {
        case .artifact(let id): (id.rawValue, 0)
        case .run(let id): (id.rawValue, 1)
        }
        // Up: artifact → producing runs (run_output), run → its inputs (run_input).
        // Down: artifact → consuming runs (run_input), run → its outputs (run_output).
        let (fromArtifact, fromRun) = direction == .up ? ("run_output", "run_input") : ("run_input", "run_output")
        let maxDepth = depth ?? Int(Int32.max)
        let sql = """
            WITH RECURSIVE walk(node, is_run, via, role, depth) AS (
                SELECT ?, ?, NULL, NULL, 0
                UNION
                SELECT e.run_id, 1, w.node, e.role, w.depth + 1
                  FROM walk w JOIN \(fromArtifact) e ON e.artifact_id = w.node
                 WHERE w.is_run = 0 AND w.depth < ?
                UNION
                SELECT e.artifact_id, 0, w.node, e.role, w.depth + 1
                  FROM walk w JOIN \(fromRun) e ON e.run_id = w.node
                 WHERE w.is_run = 1 AND w.depth < ?
            )
            SELECT w.node, w.is_run, w.via, w.role, min(w.depth) AS depth,
                   a.kind, a.size, r.operation, r.operation_version, r.status, r.started_at,
                   CASE WHEN w.is_run = 0 THEN (SELECT group_concat(name, char(10)) FROM name WHERE artifact_id = w.node) END
              FROM walk w
              LEFT JOIN artifact a ON w.is_run = 0 AND a.id = w.node
              LEFT JOIN run r ON w.is_run = 1 AND r.id = w.node
             GROUP BY w.node, w.is_run, w.via, w.role
            """
        let rows = try database.read { db in
            try Row.fetchAll(db, sql: sql, arguments: [start, startIsRun, maxDepth, maxDepth])
        }
        var nodes: [String: LineageNode] = [:]
        var edges: [LineageEdge] = []
        nodes.reserveCapacity(rows.count)
        edges.reserveCapacity(rows.count)
        for row in rows {
            let id: String = row[0]
            let isRun: Int = row[1]
            let d: Int = row[4]
            if var existing = nodes[id] {
                if d < existing.depth { existing.depth = d; nodes[id] = existing }
            } else {
                nodes[id] = LineageNode(id: id, type: isRun == 1 ? .run : .artifact, depth: d,
                                        kind: row[5], size: row[6], operation: row[7],
                                        operationVersion: row[8], status: row[9], startedAt: row[10],
                                        names: (row[11] as String?).map { $0.split(separator: "\n").map(String.init).sorted() })
            }
            if let via: String = row[2] {
                let role: String = row[3]
                // Data flows artifact → run → artifact: walking up, the new node feeds the one
                // we came from; walking down, it is fed by it.
                edges.append(direction == .up ? LineageEdge(from: id, to: via, role: role)
                                              : LineageEdge(from: via, to: id, role: role))
            }
        }
        let sortedNodes = nodes.values.sorted { ($0.depth, $0.id) < ($1.depth, $1.id) }
        let sortedEdges = Array(Set(edges)).sorted { ($0.from, $0.to, $0.role) < ($1.from, $1.to, $1.role) }
        return LineageGraph(root: start, direction: direction, nodes: sortedNodes, edges: sortedEdges)
    }
}
