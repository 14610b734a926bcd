import AssayNumerics

/// What an operator kernel gets besides its inputs: the node (for attributes and for naming it
/// in errors), the opset version of its domain, and the pool to run fixed blocks on.
///
/// A context is cheap to copy (the node is held by reference), since kernels pass it along.
public struct OperatorContext: Sendable {
    /// The node, shared by every copy of the context.
    final class Shared: Sendable {
        let node: Node
        init(_ node: Node) { self.node = node }
    }

    let shared: Shared
    public var node: Node { shared.node }
    /// The model's opset version for the node's domain.
    public let opsetVersion: Int
    /// Runs fixed blocks; nil runs serially. Results never depend on it (fixed blocks, fixed
    /// reduction order).
    public let pool: BlockPool?

    public init(node: Node, opsetVersion: Int, pool: BlockPool?) {
        self.shared = Shared(node)
        self.opsetVersion = opsetVersion
        self.pool = pool
    }

    /// This context with another pool (the node is shared, not copied).
    init(_ context: OperatorContext, pool: BlockPool?) {
        self.shared = context.shared
        self.opsetVersion = context.opsetVersion
        self.pool = pool
    }

    /// An error naming this node and its operator.
    public func error(_ problem: String) -> ModelError {
        .node(name: shared.node.name, opType: shared.node.opType, problem: problem)
    }

    // MARK: Attributes

    public func int(_ name: String, default value: Int64? = nil) throws(ModelError) -> Int64 {
        switch shared.node.attributes[name] {
        case .int(let v)?: return v
        case nil: if let value { return value }; throw error("attribute '\(name)' is required")
        case let other?: throw error("attribute '\(name)' should be an int, got \(other)")
        }
    }

    public func float(_ name: String, default value: Float? = nil) throws(ModelError) -> Float {
        switch shared.node.attributes[name] {
        case .float(let v)?: return v
        case nil: if let value { return value }; throw error("attribute '\(name)' is required")
        case let other?: throw error("attribute '\(name)' should be a float, got \(other)")
        }
    }

    public func string(_ name: String, default value: String? = nil) throws(ModelError) -> String {
        switch shared.node.attributes[name] {
        case .string(let v)?: return v
        case nil: if let value { return value }; throw error("attribute '\(name)' is required")
        case let other?: throw error("attribute '\(name)' should be a string, got \(other)")
        }
    }

    public func ints(_ name: String, default value: [Int64]? = nil) throws(ModelError) -> [Int64] {
        switch shared.node.attributes[name] {
        case .ints(let v)?: return v
        case nil: if let value { return value }; throw error("attribute '\(name)' is required")
        case let other?: throw error("attribute '\(name)' should be a list of ints, got \(other)")
        }
    }

    public func floats(_ name: String, default value: [Float]? = nil) throws(ModelError) -> [Float] {
        switch shared.node.attributes[name] {
        case .floats(let v)?: return v
        case nil: if let value { return value }; throw error("attribute '\(name)' is required")
        case let other?: throw error("attribute '\(name)' should be a list of floats, got \(other)")
        }
    }

    public func strings(_ name: String, default value: [String]? = nil) throws(ModelError) -> [String] {
        switch shared.node.attributes[name] {
        case .strings(let v)?: return v
        case nil: if let value { return value }; throw error("attribute '\(name)' is required")
        case let other?: throw error("attribute '\(name)' should be a list of strings, got \(other)")
        }
    }

    // MARK: Inputs

    /// Input `index` as a tensor; throws when it is missing (and required) or not a tensor.
    public func tensor(_ inputs: [ModelValue?], _ index: Int) throws(ModelError) -> ModelTensor {
        guard index < inputs.count, let value = inputs[index] else {
            throw error("input \(index) is required")
        }
        guard let t = value.tensor else { throw error("input \(index) should be a tensor, got a sequence of maps") }
        return t
    }

    /// Input `index` as a tensor, or nil when it is omitted.
    public func optionalTensor(_ inputs: [ModelValue?], _ index: Int) throws(ModelError) -> ModelTensor? {
        guard index < inputs.count, inputs[index] != nil else { return nil }
        return try tensor(inputs, index)
    }

    /// Input `index` as float32 elements with its shape.
    public func floatTensor(_ inputs: [ModelValue?], _ index: Int) throws(ModelError) -> (values: [Float], shape: [Int]) {
        let t = try tensor(inputs, index)
        guard let v = t.floats else { throw error("input \(index) should be float32, got \(t.elementType)") }
        return (v, t.shape)
    }
}

/// An operator implementation: inputs (nil for omitted optional inputs) to outputs, in the
/// node's output order.
public typealias OperatorKernel = @Sendable (OperatorContext, [ModelValue?]) throws(ModelError) -> [ModelValue]

/// An operator's identity: canonical domain (`""` for ai.onnx) and type.
public struct OperatorKey: Hashable, Sendable, CustomStringConvertible {
    public let domain: String
    public let opType: String
    public init(_ domain: String, _ opType: String) {
        self.domain = domain == "ai.onnx" ? "" : domain
        self.opType = opType
    }
    public var description: String { domain.isEmpty ? opType : "\(domain).\(opType)" }
}
