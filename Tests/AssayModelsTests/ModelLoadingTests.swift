import Foundation
import Testing
@testable import AssayModels

/// Loading validates untrusted model bytes: every bad model gives a ``ModelError`` that names
/// the place and says what is wrong, and nothing crashes.
@Suite struct ModelLoadingTests {
    /// The error making a session for `data` throws, or nil when it loads.
    static func loadError(_ data: Data) -> ModelError? {
        do {
            _ = try InferenceSession(data: data)
            return nil
        } catch {
            return error
        }
    }

    static func invalid(_ name: String) throws -> ModelError {
        let data = try ModelFixture.data("invalid", name, "onnx")
        return try #require(loadError(data), "\(name).onnx loaded but should not")
    }

    @Test func metadataOfAnExportedModel() throws {
        let model = try ONNXModel(data: ModelFixture.data("sklearn", "logreg_iris", "onnx"))
        #expect(model.irVersion == 8)
        #expect(model.producerName == "skl2onnx")
        #expect(!model.producerVersion.isEmpty)
        #expect(model.opsetImports == ["": 17, "ai.onnx.ml": 1])
        #expect(model.inputs == [ValueSignature(name: "X", kind: .tensor(elementType: .float32, shape: [nil, 4]))])
        #expect(model.inputs.map(\.description) == ["X: float32 [?, 4]"])
        #expect(model.outputs.map(\.name) == ["output_label", "output_probability"])
        #expect(model.outputs[1].kind == .sequenceOfMaps(keyType: .int64, valueType: .float32))
        #expect(model.operatorKeys.map(\.description)
                == ["Cast", "ai.onnx.ml.LinearClassifier", "ai.onnx.ml.Normalizer", "ai.onnx.ml.ZipMap"])
        #expect(model.nodes.map(\.opType) == ["LinearClassifier", "Cast", "Normalizer", "ZipMap"])
    }

    @Test func initializersDecodeFromTypedFields() throws {
        let model = try ONNXModel(data: ModelFixture.data("sklearn", "tensor_operators", "onnx"))
        #expect(model.initializers["classes"] == ModelTensor(int64: [11, 22, 33, 44], shape: [4]))
        #expect(model.initializers["pick"] == ModelTensor(int64: [4, 0, -1], shape: [3]))
    }

    @Test func initializersDecodeFromRawData() throws {
        var w = Onnx_TensorProto()
        w.name = "W"
        w.dataType = Int32(ElementType.float32.rawValue)
        w.dims = [2, 2]
        w.rawData = Data([0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x00, 0xc0, 0x7f, 0x00, 0x00, 0x00, 0x00])
        var b = Onnx_TensorProto()
        b.name = "B"
        b.dataType = Int32(ElementType.int8.rawValue)
        b.dims = [3]
        b.rawData = Data([0xff, 0x7f, 0x80])
        let proto = ProtoModelBuilder.model(
            nodes: [ProtoModelBuilder.node("Identity", ["W"], ["Y"], name: "id")],
            inputs: [], outputs: [ProtoModelBuilder.tensorInfo("Y", .float32, [2, 2])], initializers: [w, b])
        let model = try ONNXModel(data: ProtoModelBuilder.bytes(proto))
        let floats = try #require(model.initializers["W"]?.floats)
        #expect(floats[0] == 1 && floats[1] == -2 && floats[2].isNaN && floats[3] == 0)
        #expect(model.initializers["B"]?.int64s == [-1, 127, -128])
        #expect(model.initializers["B"]?.elementType == .int8)
        let out = try InferenceSession(model: model).run(inputs: [:])
        #expect(out.first?.value.tensor?.shape == [2, 2])
    }

    @Test func truncatedModelsAreRefusedAtEveryLength() throws {
        let data = try ModelFixture.data("sklearn", "logreg_iris", "onnx")
        var refused = 0
        for length in 0..<data.count {
            if let error = Self.loadError(data.prefix(length)) {
                refused += 1
                guard case .malformedModel = error else {
                    Issue.record("prefix of \(length) bytes: \(error)")
                    continue
                }
            }
        }
        #expect(refused == data.count, "every proper prefix should be refused")
        let half = try #require(Self.loadError(data.prefix(data.count / 2)))
        #expect(half.description.contains("The file is not a valid ONNX model"))
    }

    @Test(arguments: [
        ("text", Data("this is not an ONNX model\n".utf8)),
        ("png magic", Data([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d])),
        ("zip magic", Data([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00])),
        ("empty", Data()),
        ("all ones", Data(repeating: 0xff, count: 64)),
    ])
    func garbageIsRefused(_ name: String, _ data: Data) throws {
        let error = try #require(Self.loadError(data), "\(name)")
        guard case .malformedModel(let place, _) = error else {
            Issue.record("\(name): \(error)")
            return
        }
        #expect(place.hasPrefix("model"), "\(name): \(error)")
        #expect(error.description.contains("export it again"), "\(name): \(error)")
    }

    @Test func randomBytesNeverCrash() {
        var state: UInt64 = 0x5eed
        for trial in 0..<200 {
            var bytes: [UInt8] = []
            let count = 1 + trial * 7 % 400
            for _ in 0..<count {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                bytes.append(UInt8(truncatingIfNeeded: state >> 56))
            }
            #expect(Self.loadError(Data(bytes)) != nil, "trial \(trial)")
        }
    }

    /// Flipping bytes of a valid model gives models that load or are refused, and runs that
    /// succeed or throw; never a crash or a hang.
    @Test func corruptedModelsNeverCrash() throws {
        let original = try ModelFixture.data("sklearn", "gboost_iris", "onnx")
        let fixture = try ModelFixture.parityCase("gboost_iris")
        var state: UInt64 = 42
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        var loaded = 0
        for _ in 0..<300 {
            var bytes = [UInt8](original)
            for _ in 0..<(1 + next() % 4) {
                bytes[next() % bytes.count] = UInt8(truncatingIfNeeded: next())
            }
            guard let session = try? InferenceSession(data: Data(bytes)) else { continue }
            loaded += 1
            _ = try? session.run(inputs: fixture.inputs)
        }
        #expect(loaded > 0)
    }

    @Test func unsupportedOperatorsAreAllListed() throws {
        let error = try Self.invalid("unsupported_operator")
        guard case .unsupported(let place, let problem) = error else {
            Issue.record("\(error)")
            return
        }
        #expect(place == "graph")
        for part in ["Erf", "Hardmax", "'erf_node'", "'hardmax_node'"] {
            #expect(problem.contains(part), "\(error)")
        }
    }

    @Test func vendorDomainsAreRefused() throws {
        let error = try Self.invalid("vendor_domain")
        #expect(error.description.contains("com.microsoft"), "\(error)")
        #expect(error.description.contains("not supported"), "\(error)")
    }

    @Test func cyclesAreRefused() throws {
        let error = try Self.invalid("cycle")
        guard case .malformedModel = error else { Issue.record("\(error)"); return }
        #expect(error.description.contains("cycle"), "\(error)")
        #expect(error.description.contains("'node_a'") && error.description.contains("'node_b'"), "\(error)")
    }

    @Test func inputsNothingProducesAreRefused() throws {
        let error = try Self.invalid("dangling_input")
        #expect(error.description.contains("node 'reads_nowhere' (Identity)"), "\(error)")
        #expect(error.description.contains("input 'nowhere' is not produced"), "\(error)")
    }

    @Test func duplicateOutputsAreRefused() throws {
        let error = try Self.invalid("duplicate_output")
        #expect(error.description.contains("duplicate output name"), "\(error)")
        #expect(error.description.contains("'second'") && error.description.contains("'first'"), "\(error)")

        let y = ProtoModelBuilder.tensorInfo("Y", .float32, [nil])
        let proto = ProtoModelBuilder.model(
            nodes: [ProtoModelBuilder.node("Identity", ["X"], ["Y"], name: "id")],
            inputs: [ProtoModelBuilder.tensorInfo("X", .float32, [nil])], outputs: [y, y])
        let twice = try #require(Self.loadError(try ProtoModelBuilder.bytes(proto)))
        #expect(twice.description.contains("graph output 'Y': duplicate output name"), "\(twice)")
    }

    @Test func initializerSizeMustMatchItsShape() throws {
        let error = try Self.invalid("initializer_size_mismatch")
        guard case .malformedModel(let place, let problem) = error else { Issue.record("\(error)"); return }
        #expect(place == "initializer 'W'")
        #expect(problem.contains("12 float32 elements") && problem.contains("20 bytes"), "\(error)")

        let short = ProtoModelBuilder.floatTensor("W", [2, 3], [1, 2, 3])
        let proto = ProtoModelBuilder.model(
            nodes: [ProtoModelBuilder.node("Identity", ["W"], ["Y"], name: "id")],
            inputs: [], outputs: [ProtoModelBuilder.tensorInfo("Y", .float32, [2, 3])], initializers: [short])
        let typed = try #require(Self.loadError(try ProtoModelBuilder.bytes(proto)))
        #expect(typed.description.contains("float_data holds 3"), "\(typed)")
    }

    @Test func emptyTensorsWithHugeDimensionsAreRefused() throws {
        #expect(ModelTensor.elementCount([0, Int.max, 2]) == nil)
        #expect(ModelTensor.elementCount([0, 1 << 40]) == 0)
        var w = Onnx_TensorProto()
        w.name = "W"
        w.dataType = Int32(ElementType.float32.rawValue)
        w.dims = [0, 1 << 40, 1 << 40]
        let proto = ProtoModelBuilder.model(
            nodes: [ProtoModelBuilder.node("Identity", ["W"], ["Y"], name: "id")],
            inputs: [], outputs: [ProtoModelBuilder.tensorInfo("Y", .float32, [nil])], initializers: [w])
        let error = try #require(Self.loadError(try ProtoModelBuilder.bytes(proto)))
        #expect(error.description.hasPrefix("initializer 'W': shape [0, 1099511627776, 1099511627776] holds too many elements"), "\(error)")
    }

    @Test func externalDataIsRefused() throws {
        let error = try Self.invalid("external_data")
        guard case .unsupported(let place, let problem) = error else { Issue.record("\(error)"); return }
        #expect(place == "initializer 'W'")
        #expect(problem.contains("external data") && problem.contains("weights.bin"), "\(error)")
        #expect(problem.contains("save_as_external_data=False"), "\(error)")
    }

    @Test func unsupportedOpsetVersionsAreRefused() throws {
        let proto = ProtoModelBuilder.model(
            nodes: [ProtoModelBuilder.node("Identity", ["X"], ["Y"], name: "id")],
            inputs: [ProtoModelBuilder.tensorInfo("X", .float32, [nil])],
            outputs: [ProtoModelBuilder.tensorInfo("Y", .float32, [nil])], opsets: [("", 99)])
        let error = try #require(Self.loadError(try ProtoModelBuilder.bytes(proto)))
        #expect(error.description.contains("opset version 99 is not supported"), "\(error)")
    }

    @Test func unsupportedElementTypesAreNamed() throws {
        let proto = ProtoModelBuilder.model(
            nodes: [ProtoModelBuilder.node("Identity", ["X"], ["Y"], name: "id")],
            inputs: [ProtoModelBuilder.tensorInfo("X", .float32, [nil])],
            outputs: [ProtoModelBuilder.tensorInfo("Y", .float32, [nil])])
        var half = proto
        half.graph.input[0].type.tensorType.elemType = 10
        let error = try #require(Self.loadError(try ProtoModelBuilder.bytes(half)))
        #expect(error.description.contains("graph input 0 'X': element type FLOAT16 is not supported"), "\(error)")
    }

    @Test func treeLinksThatLoopAreRefusedWhenTheSessionIsMade() throws {
        let t = ProtoModelBuilder.self
        let node = t.node("TreeEnsembleRegressor", domain: "ai.onnx.ml", ["X"], ["Y"], name: "loop", [
            t.attribute("nodes_treeids", ints: [0, 0, 0]), t.attribute("nodes_nodeids", ints: [0, 1, 2]),
            t.attribute("nodes_featureids", ints: [0, 0, 0]),
            t.attribute("nodes_modes", strings: ["BRANCH_LEQ", "BRANCH_LEQ", "LEAF"]),
            t.attribute("nodes_values", floats: [0, 0, 0]),
            t.attribute("nodes_truenodeids", ints: [1, 0, 0]), t.attribute("nodes_falsenodeids", ints: [2, 2, 0]),
            t.attribute("target_treeids", ints: [0]), t.attribute("target_nodeids", ints: [2]),
            t.attribute("target_ids", ints: [0]), t.attribute("target_weights", floats: [1]),
        ])
        let proto = t.model(nodes: [node], inputs: [t.tensorInfo("X", .float32, [nil, 1])],
                            outputs: [t.tensorInfo("Y", .float32, [nil, 1])])
        let error = try #require(Self.loadError(try t.bytes(proto)))
        #expect(error == .node(name: "loop", opType: "TreeEnsembleRegressor",
                               problem: "the tree links form a cycle; every path must end at a leaf"))
    }
}
