import Foundation

extension Attribute {
    /// Decodes an ONNX `AttributeProto`. Graph, sparse-tensor and type attributes (control
    /// flow, sparse constants) are not supported; no operator the runtime runs takes them.
    /// An attribute without a `type` (IR before 0.0.2) is read from whichever field is set.
    init(proto: Onnx_AttributeProto, place: String) throws(ModelError) {
        var type = proto.type
        if type == .undefined {
            type = Attribute.inferredType(proto)
        }
        switch type {
        case .float: self = .float(proto.f)
        case .int: self = .int(proto.i)
        case .string: self = .string(try Attribute.text(proto.s, place: place))
        case .tensor: self = .tensor(try ModelTensor(proto: proto.t, place: place))
        case .floats: self = .floats(proto.floats)
        case .ints: self = .ints(proto.ints)
        case .strings:
            var out: [String] = []
            out.reserveCapacity(proto.strings.count)
            for (i, s) in proto.strings.enumerated() {
                out.append(try Attribute.text(s, place: "\(place)[\(i)]"))
            }
            self = .strings(out)
        case .undefined:
            throw .malformedModel(place: place, problem: "the attribute has no type and no value")
        case .graph, .graphs, .tensors, .sparseTensor, .sparseTensors, .typeProto, .typeProtos:
            throw .unsupported(
                place: place,
                problem: "attributes of type \(type) (subgraphs, tensor lists, sparse tensors, types) are not supported")
        }
    }

    private static func inferredType(_ p: Onnx_AttributeProto) -> Onnx_AttributeProto.AttributeType {
        if p.hasF { return .float }
        if p.hasI { return .int }
        if p.hasS { return .string }
        if p.hasT { return .tensor }
        if !p.floats.isEmpty { return .floats }
        if !p.ints.isEmpty { return .ints }
        if !p.strings.isEmpty { return .strings }
        if p.hasG || !p.graphs.isEmpty { return .graph }
        return .undefined
    }

    private static func text(_ bytes: Data, place: String) throws(ModelError) -> String {
        guard let s = String(validating: bytes, as: UTF8.self) else {
            throw .malformedModel(place: place, problem: "the string is not valid UTF-8")
        }
        return s
    }
}
