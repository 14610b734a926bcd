extension Node {
    /// Decodes an ONNX `NodeProto`; `index` is its position in the file, used to name an
    /// unnamed node in errors.
    init(proto: Onnx_NodeProto, index: Int) throws(ModelError) {
        let label = proto.name.isEmpty ? "graph.node[\(index)]" : "node '\(proto.name)'"
        guard !proto.opType.isEmpty else {
            throw .malformedModel(place: label, problem: "the node has no op_type")
        }
        var attributes: [String: Attribute] = [:]
        for (i, a) in proto.attribute.enumerated() {
            let place = "\(label) (\(proto.opType)): attribute '\(a.name)'"
            guard !a.name.isEmpty else {
                throw .malformedModel(place: "\(label) (\(proto.opType)): attribute[\(i)]", problem: "the attribute has no name")
            }
            guard attributes[a.name] == nil else {
                throw .malformedModel(place: place, problem: "the attribute is given twice")
            }
            guard a.refAttrName.isEmpty else {
                throw .malformedModel(place: place, problem: "attribute references (ref_attr_name) are only valid inside functions")
            }
            attributes[a.name] = try Attribute(proto: a, place: place)
        }
        self.init(name: proto.name.isEmpty ? "#\(index)" : proto.name, opType: proto.opType, domain: proto.domain,
                  inputs: proto.input, outputs: proto.output, attributes: attributes)
    }
}
