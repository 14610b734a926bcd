import AssayNumerics
import Foundation
import Testing
@testable import AssayModels

@Suite struct InferenceSessionTests {
    static func session(_ name: String) throws -> InferenceSession {
        try InferenceSession(data: ModelFixture.data("sklearn", name, "onnx"))
    }

    static func runError(_ session: InferenceSession, _ inputs: [String: ModelTensor]) -> ModelError? {
        do {
            _ = try session.run(inputs: inputs)
            return nil
        } catch {
            return error
        }
    }

    @Test func inputsMustMatchTheDeclaredShape() throws {
        let session = try Self.session("logreg_iris")
        let wrongWidth = try #require(Self.runError(session, ["X": ModelTensor(float: [1, 2, 3], shape: [1, 3])]))
        #expect(wrongWidth == .invalidInput(name: "X", problem: "dimension 1 must be 4, got shape [1, 3] (declared: X: float32 [?, 4])"))
        let wrongRank = try #require(Self.runError(session, ["X": ModelTensor(float: [1, 2, 3, 4], shape: [4])]))
        #expect(wrongRank.description.hasPrefix("input 'X': expected rank 2, got shape [4]"), "\(wrongRank)")
        // Any batch size fits the symbolic first dimension, including 0.
        let empty = try session.run(inputs: ["X": ModelTensor(float: [], shape: [0, 4])])
        #expect(empty[0].value.tensor?.shape == [0])
    }

    @Test func inputsMustHaveTheDeclaredType() throws {
        let session = try Self.session("logreg_iris")
        let doubles = try ModelTensor(elementType: .float64, shape: [1, 4], storage: .double([1, 2, 3, 4]))
        let error = try #require(Self.runError(session, ["X": doubles]))
        guard case .invalidInput(let name, let problem) = error else { Issue.record("\(error)"); return }
        #expect(name == "X")
        #expect(problem.contains("expected float32 elements, got float64"), "\(error)")
    }

    @Test func inputsMustAllBeGivenAndKnown() throws {
        let session = try Self.session("logreg_iris")
        let missing = try #require(Self.runError(session, [:]))
        #expect(missing.description.contains("input 'X': the input is missing"), "\(missing)")
        let extra = try #require(Self.runError(session, ["X": ModelTensor(float: [1, 2, 3, 4], shape: [1, 4]),
                                                         "x": ModelTensor(float: [1], shape: [1])]))
        #expect(extra.description.contains("input 'x': the model has no input of that name. Its inputs are: X: float32 [?, 4]"),
                "\(extra)")
    }

    @Test func nodeErrorsNameTheNode() throws {
        // The forest reads feature 29; a model whose declared width is open lets a narrow input
        // through to the node, which must refuse it cleanly.
        let t = ProtoModelBuilder.self
        let proto = t.model(nodes: [t.randomForestRegressor(trees: 2, depth: 2, features: 8, seed: 1)],
                            inputs: [t.tensorInfo("X", .float32, [nil, nil])],
                            outputs: [t.tensorInfo("Y", .float32, [nil, 1])])
        let session = try InferenceSession(data: t.bytes(proto))
        let error = try #require(Self.runError(session, ["X": ModelTensor(float: [0, 0], shape: [1, 2])]))
        guard case .node(let name, let opType, let problem) = error else { Issue.record("\(error)"); return }
        #expect(name == "forest" && opType == "TreeEnsembleRegressor")
        #expect(problem.contains("but the input has 2 features"), "\(error)")
    }

    /// NaN and infinities are allowed and propagate as in ONNX Runtime (checked against it in
    /// the `logreg_iris_nan` and `trees_*` parity cases); here, that a NaN row does not poison
    /// the other rows.
    @Test func nanRowsStayInTheirRow() throws {
        let session = try Self.session("pipeline_wine")
        let fixture = try ModelFixture.parityCase("pipeline_wine")
        let x = try #require(fixture.inputs["X"])
        var values = try #require(x.floats)
        for c in 0..<13 { values[c] = .nan }
        let out = try session.run(inputs: ["X": ModelTensor(float: values, shape: x.shape)])
        let probabilities = try #require(out[1].value.tensor?.floats)
        #expect(probabilities[0..<3].allSatisfy { $0.isNaN })
        #expect(probabilities[3...].allSatisfy { !$0.isNaN })
    }

    /// Same bytes with no pool and with pools of 1, 2 and 8 threads.
    @Test(arguments: ["forest_breast_cancer", "gboost_diabetes", "trees_classifier_strings", "logreg_iris", "tensor_operators"])
    func outputsDoNotDependOnThePool(_ name: String) throws {
        let session = try Self.session(name)
        let inputs = try ModelFixture.parityCase(name).inputs
        let reference = try session.run(inputs: inputs, pool: nil).map { exactBytes($0.value) }
        for threads in [1, 2, 8] {
            let got = try BlockPool.withPool(threadCount: threads) { pool throws(ModelError) in
                try session.run(inputs: inputs, pool: pool)
            }
            #expect(got.map { exactBytes($0.value) } == reference, "\(name) with \(threads) threads")
        }
        #expect(try session.run(inputs: inputs).map { exactBytes($0.value) } == reference, "\(name): second run")
    }

    /// A random forest of 100 depth-8 trees on a batch of 1024 rows: fast, and the same bytes
    /// at any pool size.
    @Test func largeForestIsFastAndDeterministic() throws {
        let t = ProtoModelBuilder.self
        let features = 30
        let proto = t.model(nodes: [t.randomForestRegressor(trees: 100, depth: 8, features: features, seed: 7)],
                            inputs: [t.tensorInfo("X", .float32, [nil, Int64(features)])],
                            outputs: [t.tensorInfo("Y", .float32, [nil, 1])])
        let session = try InferenceSession(data: t.bytes(proto))
        let rows = 1024
        var state: UInt32 = 1
        let x = (0..<(rows * features)).map { _ -> Float in
            state = state &* 1_664_525 &+ 1_013_904_223
            return Float(state >> 8) / Float(1 << 24)
        }
        let inputs = ["X": ModelTensor(float: x, shape: [rows, features])]
        let clock = ContinuousClock()
        var serial: [UInt64] = []
        let serialTime = try clock.measure { serial = exactBytes(try session.run(inputs: inputs)[0].value) }
        var parallel: [UInt64] = []
        let parallelTime = try BlockPool.withPool(threadCount: 8) { pool in
            try clock.measure { parallel = exactBytes(try session.run(inputs: inputs, pool: pool)[0].value) }
        }
        #expect(parallel == serial)
        #expect(serial.count == 2 + 1 + rows)
        // Generous bounds for debug builds on a loaded machine; a release build takes ~10 ms.
        #expect(serialTime < .seconds(10), "serial: \(serialTime)")
        #expect(parallelTime < .seconds(10), "8 threads: \(parallelTime)")
        print("forest 100 × depth 8, 1024 rows: serial \(serialTime), 8 threads \(parallelTime)")
    }

    @Test func concurrentRunsOfOneSessionAgree() async throws {
        let session = try Self.session("forest_breast_cancer")
        let inputs = try ModelFixture.parityCase("forest_breast_cancer").inputs
        let reference = try session.run(inputs: inputs).map { exactBytes($0.value) }
        let results = try await withThrowingTaskGroup(of: [[UInt64]].self) { group in
            for _ in 0..<4 {
                group.addTask { try session.run(inputs: inputs).map { exactBytes($0.value) } }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 4)
        #expect(results.allSatisfy { $0 == reference })
    }
}
