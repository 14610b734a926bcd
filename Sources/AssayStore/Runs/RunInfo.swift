/// Whether a run finished its work.
public enum RunStatus: String, Sendable, Codable {
    case succeeded
    case failed
}

/// A recorded run, as read back from the lineage.
public struct RunInfo: Sendable, Codable, Equatable {
    public var id: RunID
    public var operation: String
    public var operationVersion: Int
    public var parameters: JSONValue
    public var seed: UInt64?
    public var recipeDigest: String
    public var environment: JSONValue
    public var status: RunStatus
    public var startedAt: String
    public var endedAt: String
    public var error: String?
    public var inputs: [RunArtifact]
    public var outputs: [RunArtifact]

    /// The recipe this run recorded.
    public var recipe: Recipe {
        Recipe(operation: operation, operationVersion: operationVersion, parameters: parameters, seed: seed, inputs: inputs)
    }

    enum CodingKeys: String, CodingKey {
        case id, operation, parameters, seed, environment, status, error, inputs, outputs
        case operationVersion = "operation_version"
        case recipeDigest = "recipe_digest"
        case startedAt = "started_at"
        case endedAt = "ended_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(operation, forKey: .operation)
        try c.encode(operationVersion, forKey: .operationVersion)
        try c.encode(parameters, forKey: .parameters)
        try c.encode(seed, forKey: .seed)   // null when absent: the shape stays fixed
        try c.encode(recipeDigest, forKey: .recipeDigest)
        try c.encode(environment, forKey: .environment)
        try c.encode(status, forKey: .status)
        try c.encode(startedAt, forKey: .startedAt)
        try c.encode(endedAt, forKey: .endedAt)
        try c.encode(error, forKey: .error)
        try c.encode(inputs, forKey: .inputs)
        try c.encode(outputs, forKey: .outputs)
    }
}

/// A stored artifact, as read back from the lineage.
public struct ArtifactInfo: Sendable, Codable, Equatable {
    public var id: ArtifactID
    public var size: Int64
    public var kind: String
    public var createdAt: String
    /// Names currently pointing at this artifact, sorted.
    public var names: [String]

    enum CodingKeys: String, CodingKey {
        case id, size, kind, names
        case createdAt = "created_at"
    }
}
