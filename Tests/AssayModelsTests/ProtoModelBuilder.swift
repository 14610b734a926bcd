import Foundation
@testable import AssayModels

/// Builds small ONNX models in Swift with the generated protobuf types, for tests that need a
/// model no exporter would write.
enum ProtoModelBuilder {
    static func model(
        nodes: [Onnx_NodeProto], inputs: [Onnx_ValueInfoProto], outputs: [Onnx_ValueInfoProto],
        initializers: [Onnx_TensorProto] = [], opsets: [(String, Int64)] = [("", 17), ("ai.onnx.ml", 3)]
    ) -> Onnx_ModelProto {
        var graph = Onnx_GraphProto()
        graph.name = "test"
        graph.node = nodes
        graph.input = inputs
        graph.output = outputs
        graph.initializer = initializers
        var model = Onnx_ModelProto()
        model.irVersion = 8
        model.producerName = "assay-tests"
        model.graph = graph
        model.opsetImport = opsets.map { domain, version in
            var o = Onnx_OperatorSetIdProto()
            o.domain = domain
            o.version = version
            return o
        }
        return model
    }

    static func bytes(_ model: Onnx_ModelProto) throws -> Data {
        try model.serializedBytes()
    }

    /// A tensor value info; nil dimensions are symbolic (`N`).
    static func tensorInfo(_ name: String, _ elementType: ElementType, _ dims: [Int64?]) -> Onnx_ValueInfoProto {
        var tensor = Onnx_TypeProto.Tensor()
        tensor.elemType = Int32(elementType.rawValue)
        var shape = Onnx_TensorShapeProto()
        shape.dim = dims.map { d in
            var dim = Onnx_TensorShapeProto.Dimension()
            if let d { dim.dimValue = d } else { dim.dimParam = "N" }
            return dim
        }
        tensor.shape = shape
        var type = Onnx_TypeProto()
        type.tensorType = tensor
        var info = Onnx_ValueInfoProto()
        info.name = name
        info.type = type
        return info
    }

    static func node(_ opType: String, domain: String = "", _ inputs: [String], _ outputs: [String], name: String,
                     _ attributes: [Onnx_AttributeProto] = []) -> Onnx_NodeProto {
        var n = Onnx_NodeProto()
        n.opType = opType
        n.domain = domain
        n.input = inputs
        n.output = outputs
        n.name = name
        n.attribute = attributes
        return n
    }

    static func attribute(_ name: String, ints: [Int64]) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .ints
        a.ints = ints
        return a
    }

    static func attribute(_ name: String, floats: [Float]) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .floats
        a.floats = floats
        return a
    }

    static func attribute(_ name: String, strings: [String]) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .strings
        a.strings = strings.map { Data($0.utf8) }
        return a
    }

    static func attribute(_ name: String, int: Int64) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .int
        a.i = int
        return a
    }

    static func attribute(_ name: String, string: String) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .string
        a.s = Data(string.utf8)
        return a
    }

    /// A float32 initializer stored in `float_data`.
    static func floatTensor(_ name: String, _ dims: [Int64], _ values: [Float]) -> Onnx_TensorProto {
        var t = Onnx_TensorProto()
        t.name = name
        t.dataType = Int32(ElementType.float32.rawValue)
        t.dims = dims
        t.floatData = values
        return t
    }

    /// A TreeEnsembleRegressor node over `features` features: `trees` random full trees of
    /// `depth` levels with BRANCH_LEQ splits, one target. `seed` fixes the trees.
    static func randomForestRegressor(trees: Int, depth: Int, features: Int, seed: UInt64) -> Onnx_NodeProto {
        var state = seed
        func next() -> UInt64 {  // SplitMix64: a fixed sequence for a fixed seed.
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        func unit() -> Float { Float(next() >> 40) / Float(1 << 24) }
        var treeIDs: [Int64] = [], nodeIDs: [Int64] = [], featureIDs: [Int64] = [], modes: [String] = []
        var values: [Float] = [], trueIDs: [Int64] = [], falseIDs: [Int64] = []
        var targetTree: [Int64] = [], targetNode: [Int64] = [], targetIDs: [Int64] = [], weights: [Float] = []
        let nodesPerTree = (1 << (depth + 1)) - 1
        let branches = (1 << depth) - 1
        for t in 0..<trees {
            for n in 0..<nodesPerTree {
                treeIDs.append(Int64(t))
                nodeIDs.append(Int64(n))
                if n < branches {
                    featureIDs.append(Int64(next() % UInt64(features)))
                    modes.append("BRANCH_LEQ")
                    values.append(unit())
                    trueIDs.append(Int64(2 * n + 1))
                    falseIDs.append(Int64(2 * n + 2))
                } else {
                    featureIDs.append(0)
                    modes.append("LEAF")
                    values.append(0)
                    trueIDs.append(0)
                    falseIDs.append(0)
                    targetTree.append(Int64(t))
                    targetNode.append(Int64(n))
                    targetIDs.append(0)
                    weights.append(unit() - 0.5)
                }
            }
        }
        return node("TreeEnsembleRegressor", domain: "ai.onnx.ml", ["X"], ["Y"], name: "forest", [
            attribute("n_targets", int: 1), attribute("aggregate_function", string: "AVERAGE"),
            attribute("nodes_treeids", ints: treeIDs), attribute("nodes_nodeids", ints: nodeIDs),
            attribute("nodes_featureids", ints: featureIDs), attribute("nodes_modes", strings: modes),
            attribute("nodes_values", floats: values), attribute("nodes_truenodeids", ints: trueIDs),
            attribute("nodes_falsenodeids", ints: falseIDs), attribute("target_treeids", ints: targetTree),
            attribute("target_nodeids", ints: targetNode), attribute("target_ids", ints: targetIDs),
            attribute("target_weights", floats: weights), attribute("base_values", floats: [0.5]),
        ])
    }
}
