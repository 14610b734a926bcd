import Foundation
import Testing
import _AssayTestSupport

/// `assay model add` and `assay predict` through the binary: metadata, the prediction document,
/// reshaping, recorded runs, determinism, and bad models and inputs.
@Suite struct ModelCommandTests: CLIWorkspaceSuite {
    let workspace: CLIWorkspace
    static let fixtures = AssayBinary.packageRoot + "/Tests/AssayModelsTests/Fixtures"

    init() throws {
        workspace = try CLIWorkspace()
    }

    func digitsCSV(rows: Int, nanRow: Int? = nil) throws -> String {
        var x: UInt64 = 5
        var text = (0..<64).map { "p\($0)" }.joined(separator: ",") + "\n"
        for r in 0..<rows {
            text += (0..<64).map { c -> String in
                x = x &* 6364136223846793005 &+ 1442695040888963407
                return r == nanRow && c == 10 ? "nan" : String(Int(x >> 60))
            }.joined(separator: ",") + "\n"
        }
        return try dir.write("digits\(rows).csv", text)
    }

    @Test func addShowsMetadataAndPredictRecordsEveryOutput() throws {
        let add = try assay(["model", "add", Self.fixtures + "/sklearn/logreg_iris.onnx", "--name", "model:iris@v1", "--json"])
        #expect(add.status == 0, "\(add.stderr)")
        let meta = try json(add)
        #expect((meta["operators"] as? [String])?.contains("ai.onnx.ml.ZipMap") == true)
        #expect((meta["inputs"] as? [[String: Any]])?.first?["dtype"] as? String == "float32")
        #expect((meta["opsets"] as? [String: Any])?["ai.onnx.ml"] as? Int == 1)
        let csv = try dir.write("iris.csv", "a,b,c,d\n5.1,3.5,1.4,0.2\n6.7,3.0,5.2,2.3\n")
        let p = try json(try assay(["predict", "model:iris@v1", "--input", csv, "--json"]))
        let outputs = try #require(p["outputs"] as? [String: [String: Any]])
        #expect(outputs["output_label"]?["data"] as? [Int] == [0, 2])
        #expect(outputs["output_label"]?["shape"] as? [Int] == [2])
        #expect(outputs["output_probability"]?["shape"] as? [Int] == [2, 3])
        #expect(outputs["output_probability"]?["keys"] as? [Int] == [0, 1, 2])
        let probabilities = try #require(outputs["output_probability"]?["data"] as? [Double])
        #expect(abs(probabilities[0...2].reduce(0, +) - 1) < 1e-6)
        // The run's inputs are the model and the input; its output the predictions.
        let lineage = try assay(["lineage", try #require(p["predictions"] as? String), "--up", "--depth", "2"])
        #expect(lineage.stdout.contains("predict v1") && lineage.stdout.contains("model:iris@v1"), "\(lineage.stdout)")
    }

    @Test func digitRowsFeedAConvolutionalNetworkAndBytesDoNotDependOnThreads() throws {
        #expect(try assay(["model", "add", Self.fixtures + "/nn/cnn_digits.onnx", "--name", "model:cnn"]).status == 0)
        let csv = try digitsCSV(rows: 20)
        let one = try json(try assay(["predict", "model:cnn", "--input", csv, "--json"], environment: ["ASSAY_THREADS": "1"]))
        let eight = try json(try assay(["predict", "model:cnn", "--input", csv, "--json"], environment: ["ASSAY_THREADS": "8"]))
        #expect(one["predictions"] as? String == eight["predictions"] as? String)
        let outputs = try #require(one["outputs"] as? [String: [String: Any]])
        #expect(outputs.values.first?["shape"] as? [Int] == [20, 10])
    }

    @Test func nanInputsPropagateAsNull() throws {
        #expect(try assay(["model", "add", Self.fixtures + "/sklearn/mlp_digits.onnx", "--name", "model:mlp"]).status == 0)
        let csv = try digitsCSV(rows: 3, nanRow: 1)
        let r = try assay(["predict", "model:mlp", "--input", csv, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("null"))
    }

    @Test func badModelsAreRefusedWithTheNodeAndOperator() throws {
        let cases: [(String, String)] = [
            ("cycle.onnx", "cycle"),
            ("unsupported_operator.onnx", "unsupported operators Erf, Hardmax"),
            ("initializer_size_mismatch.onnx", "initializer 'W'"),
            ("external_data.onnx", "external data"),
            ("dangling_input.onnx", "not produced by any node"),
        ]
        for (file, text) in cases {
            let r = try assay(["model", "add", Self.fixtures + "/invalid/" + file])
            #expect(r.status == 2, "\(file)")
            #expect(r.stderr.contains(text), "\(file): \(r.stderr)")
        }
        let model = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Self.fixtures + "/sklearn/logreg_iris.onnx")))
        for (name, bytes) in [("truncated.onnx", Array(model.prefix(model.count / 2))), ("magic.onnx", Array("PK\u{3}\u{4}zip".utf8)), ("empty.onnx", [])] {
            let path = try dir.write(name, bytes)
            let r = try assay(["model", "add", path])
            #expect(r.status == 2, "\(name)")
            #expect(r.stderr.contains(name) && r.stderr.contains("not a valid ONNX model") || r.stderr.contains("missing"), "\(name): \(r.stderr)")
        }
        #expect(try assay(["ls", "--kind", "model", "--json"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]")
    }

    @Test func mismatchedInputsAreClearErrors() throws {
        #expect(try assay(["model", "add", Self.fixtures + "/sklearn/logreg_iris.onnx", "--name", "model:iris"]).status == 0)
        let wide = try dir.write("wide.csv", "a,b,c\n1,2,3\n")
        let r = try assay(["predict", "model:iris", "--input", wide])
        #expect(r.status == 2)
        #expect(r.stderr.contains("wide.csv") && r.stderr.contains("do not fit the model input X"), "\(r.stderr)")
        let notAModel = try assay(["predict", try dir.write("x.csv", "a\n1\n"), "--input", wide])
        #expect(notAModel.status == 2)
        let csv = try dir.write("notmodel.csv", "a,b,c,d\n1,2,3,4\n")
        let added = try json(try assay(["add", csv, "--json"]))
        let id = try #require((added["artifact"] as? [String: Any])?["id"] as? String)
        let r2 = try assay(["predict", id, "--input", csv])
        #expect(r2.status == 2)
        #expect(r2.stderr.contains("not a model"), "\(r2.stderr)")
    }
}
