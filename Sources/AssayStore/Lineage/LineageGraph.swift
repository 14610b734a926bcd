/// Which way to walk the lineage from a node.
public enum LineageDirection: String, Sendable, Codable {
    /// Towards the causes: the runs that produced an artifact, their inputs, and so on.
    case up
    /// Towards the effects: the runs that read an artifact, their outputs, and so on.
    case down
}

/// A node of the lineage graph: an artifact or a run.
public struct LineageNode: Sendable, Hashable, Codable {
    public enum NodeType: String, Sendable, Codable { case artifact, run }
    public var id: String
    public var type: NodeType
    /// Shortest distance from the root, in edges.
    public var depth: Int
    /// For artifacts: kind and size. For runs: operation, version, status and start time.
    public var kind: String?
    public var size: Int64?
    public var operation: String?
    public var operationVersion: Int?
    public var status: String?
    public var startedAt: String?
    /// For artifacts: the names pointing at it, if any.
    public var names: [String]?

    enum CodingKeys: String, CodingKey {
        case id, type, depth, kind, size, operation, status, names
        case operationVersion = "operation_version"
        case startedAt = "started_at"
    }
}

/// An edge in data-flow direction: artifact → run (an input) or run → artifact (an output).
public struct LineageEdge: Sendable, Hashable, Codable {
    public var from: String
    public var to: String
    public var role: String
}

/// The part of the lineage reachable from a root node in one direction.
public struct LineageGraph: Sendable, Codable {
    public var root: String
    public var direction: LineageDirection
    /// Nodes sorted by depth, then id.
    public var nodes: [LineageNode]
    /// Edges sorted by (from, to, role).
    public var edges: [LineageEdge]
}
