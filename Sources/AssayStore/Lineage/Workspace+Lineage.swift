internal import GRDB

extension Workspace {
    /// The lineage reachable from `root` going `direction`, at most `depth` edges away (all when
    /// `nil`). The walk is one recursive SQL query; node depths (shortest distance from the root)
    /// are computed from the returned edges.
    ///
    /// - Complexity: one index probe per edge reached (`run_output_by_artifact`,
    ///   `run_input_by_artifact` or a primary key), plus O(N log N) to order N nodes.
    public func lineage(of root: ResolvedReference, direction: LineageDirection, depth: Int? = nil) throws(StoreError) -> LineageGraph {
        let (start, startIsRun): (String, Int) = switch root {
        case .artifact(let id): (id.rawValue, 0)
        case .run(let id): (id.rawValue, 1)
        }
        // Up: artifact → producing runs (run_output), run → its inputs (run_input).
        // Down: artifact → consuming runs (run_input), run → its outputs (run_output).
        let (fromArtifact, fromRun) = direction == .up ? ("run_output", "run_input") : ("run_input", "run_output")
        // Without a depth limit the walk carries no depth column, so UNION visits each edge once
        // (with one, an edge reached at two distances is expanded twice, bounded by the limit).
        let depthColumn = depth == nil ? "" : ", depth"
        let depthStart = depth == nil ? "" : ", 0"
        let depthStep = depth == nil ? "" : ", w.depth + 1"
        let depthFilter = depth.map { " AND w.depth < \($0)" } ?? ""
        let sql = """
            WITH RECURSIVE walk(node, is_run, via, role\(depthColumn)) AS (
                SELECT ?, ?, NULL, NULL\(depthStart)
                UNION
                SELECT e.run_id, 1, w.node, e.role\(depthStep)
                  FROM walk w JOIN \(fromArtifact) e ON e.artifact_id = w.node
                 WHERE w.is_run = 0\(depthFilter)
                UNION
                SELECT e.artifact_id, 0, w.node, e.role\(depthStep)
                  FROM walk w JOIN \(fromRun) e ON e.run_id = w.node
                 WHERE w.is_run = 1\(depthFilter)
            )
            SELECT \(depth == nil ? "" : "DISTINCT ")w.node, w.is_run, w.via, w.role,
                   a.kind, a.size, r.operation, r.operation_version, r.status, r.started_at,
                   CASE WHEN w.is_run = 0 THEN (SELECT group_concat(name, char(10)) FROM name WHERE artifact_id = w.node) END
              FROM walk w
              LEFT JOIN artifact a ON w.is_run = 0 AND a.id = w.node
              LEFT JOIN run r ON w.is_run = 1 AND r.id = w.node
            """
        var nodes: [LineageNode] = []
        var index: [String: Int] = [:]
        var rawEdges: [(node: Int, via: String, role: String)] = []
        try database.read { db in
            let rows = try Row.fetchCursor(db, sql: sql, arguments: [start, startIsRun])
            while let row = try rows.next() {
                let id: String = row[0]
                if index[id] == nil {
                    index[id] = nodes.count
                    let isRun: Int = row[1]
                    let names: String? = row[10]
                    nodes.append(LineageNode(id: id, type: isRun == 1 ? .run : .artifact, depth: -1,
                                             kind: row[4], size: row[5], operation: row[6],
                                             operationVersion: row[7], status: row[8], startedAt: row[9],
                                             names: names.map { $0.split(separator: "\n").map(String.init).sorted() }))
                }
                if let via: String = row[2] {
                    rawEdges.append((index[id]!, via, row[3]))
                }
            }
        }
        // Children of each node in walk direction, as indices.
        var children = [[(Int, String)]](repeating: [], count: nodes.count)
        var edges: [LineageEdge] = []
        edges.reserveCapacity(rawEdges.count)
        for (node, via, role) in rawEdges {
            guard let parent = index[via] else { continue }
            children[parent].append((node, role))
            // Data flows artifact → run → artifact: walking up, the new node feeds the one we
            // came from; walking down, it is fed by it.
            edges.append(direction == .up ? LineageEdge(from: nodes[node].id, to: via, role: role)
                                          : LineageEdge(from: via, to: nodes[node].id, role: role))
        }
        // Breadth-first distances from the root over the fetched edges.
        if let r = index[start] {
            nodes[r].depth = 0
            var frontier = [r]
            var d = 0
            while !frontier.isEmpty {
                d += 1
                var next: [Int] = []
                for n in frontier {
                    for (c, _) in children[n] where nodes[c].depth < 0 {
                        nodes[c].depth = d
                        next.append(c)
                    }
                }
                frontier = next
            }
        }
        // Order nodes by (depth, id) and edges by the positions of their ends, then role:
        // deterministic, and integer comparisons for all but ties in depth.
        let order = nodes.indices.sorted { a, b in
            nodes[a].depth != nodes[b].depth ? nodes[a].depth < nodes[b].depth : nodes[a].id < nodes[b].id
        }
        var position = [Int](repeating: 0, count: nodes.count)
        for (p, i) in order.enumerated() { position[i] = p }
        var keyed: [(Int, Int, Int)] = []   // (from position, to position, edge index)
        keyed.reserveCapacity(edges.count)
        for (k, (node, via, _)) in rawEdges.enumerated() {
            guard let v = index[via] else { continue }
            let (from, to) = direction == .up ? (node, v) : (v, node)
            keyed.append((position[from], position[to], k))
        }
        keyed.sort { ($0.0, $0.1) != ($1.0, $1.1) ? ($0.0, $0.1) < ($1.0, $1.1) : edges[$0.2].role < edges[$1.2].role }
        let sortedEdges = keyed.map { edges[$0.2] }
        let sortedNodes = order.map { nodes[$0] }
        return LineageGraph(root: start, direction: direction, nodes: sortedNodes, edges: sortedEdges)
    }
}
