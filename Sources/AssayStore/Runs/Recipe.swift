import AssayCrypto

/// An artifact attached to a run, with the role it plays there (`reference`, `input`, `model`, …).
public struct RunArtifact: Hashable, Comparable, Sendable, Codable {
    public var role: String
    public var id: ArtifactID

    public init(role: String, id: ArtifactID) {
        self.role = role
        self.id = id
    }

    public static func < (a: RunArtifact, b: RunArtifact) -> Bool {
        (a.role, a.id.rawValue) < (b.role, b.id.rawValue)
    }
}

/// What determines a run's outputs: the operation and its version, canonical parameters, the seed
/// and the input artifacts with their roles. The same recipe must yield byte-identical outputs.
///
/// The **recipe digest** is `sha256:` + the SHA-256 of the canonical JSON (RFC 8785 with exact
/// integers, see ``CanonicalJSON``) of this document:
///
/// ```json
/// {"inputs":[{"id":"sha256:…","role":"…"},…],"operation":"sample","operation_version":1,
///  "parameters":{…},"recipe":"assay.recipe.v1","seed":42}
/// ```
///
/// `inputs` sorted by role, then id; `seed` is `null` when the operation draws no randomness.
/// Nothing else enters it: not the time, host, tool version or run id.
public struct Recipe: Sendable, Hashable {
    public var operation: String
    public var operationVersion: Int
    public var parameters: JSONValue
    public var seed: UInt64?
    public var inputs: [RunArtifact]

    public init(operation: String, operationVersion: Int, parameters: JSONValue = .object([:]), seed: UInt64? = nil, inputs: [RunArtifact] = []) {
        self.operation = operation
        self.operationVersion = operationVersion
        self.parameters = parameters
        self.seed = seed
        self.inputs = inputs.sorted()
    }

    /// The canonical document hashed into ``digest()``.
    public var document: JSONValue {
        .object([
            "recipe": .string("assay.recipe.v1"),
            "operation": .string(operation),
            "operation_version": .integer(String(operationVersion)),
            "parameters": parameters,
            "seed": seed.map { .integer(String($0)) } ?? .null,
            "inputs": .array(inputs.sorted().map { .object(["role": .string($0.role), "id": .string($0.id.rawValue)]) }),
        ])
    }

    /// `sha256:<hex>` of the canonical JSON of ``document``.
    /// - Throws: ``JSONError`` when the parameters hold a NaN or an infinity.
    public func digest() throws -> String {
        let bytes = try document.canonicalBytes()
        return "sha256:" + (try SHA256.hash(bytes)).hex
    }
}
