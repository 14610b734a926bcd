extension ValueSignature {
    /// Decodes an ONNX `ValueInfoProto` (a graph input or output). `place` names it in errors.
    init(proto: Onnx_ValueInfoProto, place: String) throws(ModelError) {
        guard !proto.name.isEmpty else {
            throw .malformedModel(place: place, problem: "the value has no name")
        }
        let place = "\(place) '\(proto.name)'"
        guard proto.hasType, let value = proto.type.value else {
            throw .malformedModel(place: place, problem: "the value has no type")
        }
        switch value {
        case .tensorType(let t):
            let elementType = try ElementType(onnx: t.elemType, place: place)
            var shape: [Int?]? = nil
            if t.hasShape {
                var dims: [Int?] = []
                for d in t.shape.dim {
                    switch d.value {
                    case .dimValue(let v)?:
                        guard v >= 0, let dim = Int(exactly: v) else {
                            throw .malformedModel(place: place, problem: "dimension \(v) is negative")
                        }
                        dims.append(dim)
                    case .dimParam?, nil:
                        dims.append(nil)
                    }
                }
                shape = dims
            }
            self.init(name: proto.name, kind: .tensor(elementType: elementType, shape: shape))
        case .sequenceType(let s):
            guard case .mapType(let m)? = s.elemType.value,
                  case .tensorType(let v)? = m.valueType.value
            else {
                throw .unsupported(place: place, problem: "sequences of anything but maps (ZipMap's output) are not supported")
            }
            let keyType = try ElementType(onnx: m.keyType, place: place)
            let valueType = try ElementType(onnx: v.elemType, place: place)
            guard keyType == .int64 || keyType == .string, valueType == .float32 else {
                throw .unsupported(place: place, problem: "only maps from int64 or string to float32 are supported, got map<\(keyType), \(valueType)>")
            }
            self.init(name: proto.name, kind: .sequenceOfMaps(keyType: keyType, valueType: valueType))
        case .mapType, .optionalType, .sparseTensorType, .opaqueType:
            throw .unsupported(place: place, problem: "only tensor values (and ZipMap's sequence of maps) are supported")
        }
    }
}
