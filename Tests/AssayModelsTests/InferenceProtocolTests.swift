import AssayModels
import Testing

@Suite struct InferenceProtocolTests {
    static func decode(_ text: String) throws(ModelError) -> [(name: String, tensor: ModelTensor)] {
        try InferenceProtocol.decodeResponse(Array(text.utf8)).outputs
    }

    @Test func requestHoldsShapeDatatypeAndShortestFloats() {
        let body = InferenceProtocol.requestBody(id: "r\"1", inputs: [("x", ModelTensor(float: [0.1, 2, -3.5, 1e-8], shape: [2, 2]))])
        #expect(String(decoding: body, as: UTF8.self)
            == #"{"id":"r\"1","inputs":[{"name":"x","shape":[2,2],"datatype":"FP32","data":[0.1,2.0,-3.5,1e-08]}]}"#)
    }

    @Test func responsesDecodeFlatAndNestedData() throws {
        let flat = try Self.decode(#"{"model_name":"m","model_version":"3","id":"1","outputs":[{"name":"p","shape":[2,2],"datatype":"FP32","data":[0.25,0.75,1,0]},{"name":"label","shape":[2],"datatype":"INT64","data":[1,0]}]}"#)
        #expect(flat.count == 2)
        #expect(flat[0].tensor == ModelTensor(float: [0.25, 0.75, 1, 0], shape: [2, 2]))
        #expect(flat[1].tensor == ModelTensor(int64: [1, 0], shape: [2]))
        let nested = try Self.decode(#"{"outputs":[{"name":"p","shape":[2,2],"datatype":"FP32","data":[[0.25,0.75],[1,0]]}]}"#)
        #expect(nested[0].tensor == flat[0].tensor)
        let response = try InferenceProtocol.decodeResponse(Array(#"{"model_name":"m","model_version":"3","outputs":[]}"#.utf8))
        #expect(response.modelName == "m" && response.modelVersion == "3")
    }

    @Test func malformedResponsesNameTheField() {
        let cases: [(String, String)] = [
            ("", "response: not JSON"),
            ("<html>502 Bad Gateway</html>", "response: not JSON"),
            ("[1,2]", "not a JSON object"),
            (#"{"model_name":"m"}"#, "response.outputs: missing"),
            (#"{"outputs":[{"name":"p","shape":[3],"datatype":"FP32","data":[1,2]}]}"#, "response.outputs[0].data: 2 values for shape [3]"),
            (#"{"outputs":[{"name":"p","shape":[1],"datatype":"FP16","data":[1]}]}"#, "FP16 is not supported"),
            (#"{"outputs":[{"name":"p","shape":[1],"datatype":"INT64","data":[1.5]}]}"#, "is not an integer"),
            (#"{"outputs":[{"name":"p","shape":[1],"datatype":"FP32","data":["x"]}]}"#, "response.outputs[0].data[0]"),
            (#"{"outputs":[{"name":"p","shape":[-1],"datatype":"FP32","data":[]}]}"#, "response.outputs[0].shape"),
            (#"{"outputs":[{"shape":[1],"datatype":"FP32","data":[1]}]}"#, "response.outputs[0].name"),
            (String(repeating: "[", count: 40) + String(repeating: "]", count: 40), "not a JSON object"),
        ]
        for (body, expected) in cases {
            do {
                _ = try Self.decode(body)
                Issue.record("accepted \(body)")
            } catch {
                #expect(error.description.contains(expected), "\(body): \(error.description)")
            }
        }
        let deep = #"{"outputs":[{"name":"p","shape":[1],"datatype":"FP32","data":"# + String(repeating: "[", count: 40) + "1" + String(repeating: "]", count: 40) + "}]}"
        #expect(throws: ModelError.self) { _ = try Self.decode(deep) }
    }

    @Test func nullFloatsAreNaN() throws {
        let out = try Self.decode(#"{"outputs":[{"name":"p","shape":[2],"datatype":"FP64","data":[null,1]}]}"#)
        guard case .double(let v) = out[0].tensor.storage else { Issue.record("not float64"); return }
        #expect(v[0].isNaN && v[1] == 1)
    }

    @Test func metadataDecodes() throws {
        let m = try InferenceProtocol.decodeMetadata(Array(#"{"name":"iris","versions":["v1"],"platform":"sklearn","inputs":[{"name":"input-0","datatype":"FP32","shape":[-1,4]}],"outputs":[{"name":"predict","datatype":"INT64","shape":[-1]}]}"#.utf8))
        #expect(m.name == "iris" && m.versions == ["v1"] && m.inputs[0].shape == [-1, 4] && m.outputs[0].datatype == "INT64")
        #expect(throws: ModelError.self) { _ = try InferenceProtocol.decodeMetadata(Array(#"{"inputs":[]}"#.utf8)) }
        #expect(InferenceProtocol.errorMessage(Array(#"{"error":"Model iris not found"}"#.utf8)) == "Model iris not found")
    }
}
