import Foundation
import Testing
import _AssayTestSupport

/// `assay detector fit` and `assay detect` through the binary: JSON fields, recorded runs,
/// determinism, and bad input.
@Suite struct DetectorCommandTests: CLIWorkspaceSuite {
    let workspace: CLIWorkspace

    init() throws {
        workspace = try CLIWorkspace()
    }

    /// A CSV of `rows` rows: columns a (shifted by `shift`), b, and a category c in 0..2.
    func csv(_ name: String, rows: Int, shift: Double, seed: UInt64) throws -> String {
        var x = seed
        func u() -> Double { x = x &* 6364136223846793005 &+ 1442695040888963407; return Double(x >> 11) / 9007199254740992.0 }
        var text = "a,b,c\n"
        for _ in 0..<rows { text += "\(u() + shift),\(u()),\(Int(u() * 3))\n" }
        return try dir.write(name, text)
    }

    @Test func fitAndDetectKS() throws {
        let ref = try csv("ref.csv", rows: 500, shift: 0, seed: 1)
        let fit = try assay(["detector", "fit", "ks", "--reference", ref, "--name", "detector:ks", "--json"])
        #expect(fit.status == 0, "\(fit.stderr)")
        let f = try json(fit)
        #expect(f["kind"] as? String == "drift.ks")
        #expect(f["features"] as? Int == 3)
        let params = f["parameters"] as? [String: Any]
        #expect(params?["p_val"] as? Double == 0.05)
        #expect(params?["method"] as? String == "asymp")

        let same = try assay(["detect", "detector:ks", "--input", try csv("same.csv", rows: 400, shift: 0, seed: 2), "--json"])
        #expect(same.status == 0, "\(same.stderr)")
        let s = try json(same)
        #expect(s["is_drift"] as? Int == 0)
        #expect((s["p_val"] as? [Double])?.count == 3)
        #expect((s["distance"] as? [Double])?.count == 3)
        #expect(s["threshold"] as? Double == 0.05 / 3)
        for key in ["detector", "input", "run", "result"] { #expect(s[key] as? String != nil, "missing \(key)") }

        let shifted = try assay(["detect", "detector:ks", "--input", try csv("shift.csv", rows: 400, shift: 0.3, seed: 3), "--json"])
        #expect(try json(shifted)["is_drift"] as? Int == 1)
        let text = try assay(["detect", "detector:ks", "--input", try csv("shift2.csv", rows: 400, shift: 0.3, seed: 3)])
        #expect(text.stdout.hasPrefix("drift: yes"))
        let log = try assay(["log", "--operation", "detect", "--json"])
        #expect((try JSONSerialization.jsonObject(with: Data(log.stdout.utf8)) as? [[String: Any]])?.count == 3)
    }

    @Test func sameRecipeSameResultBytes() throws {
        let ref = try csv("ref.csv", rows: 300, shift: 0, seed: 4)
        #expect(try assay(["detector", "fit", "mmd", "--reference", ref, "--name", "detector:mmd", "--param", "n_permutations=30"]).status == 0)
        let batch = try csv("b.csv", rows: 200, shift: 0.1, seed: 5)
        let one = try json(try AssayBinary.run(["detect", "detector:mmd", "--input", batch, "--seed", "9", "--json", "--workspace", ws], environment: ["ASSAY_THREADS": "1"]))
        let all = try json(try AssayBinary.run(["detect", "detector:mmd", "--input", batch, "--seed", "9", "--json", "--workspace", ws], environment: ["ASSAY_THREADS": "8"]))
        #expect(one["result"] as? String == all["result"] as? String)
        #expect(one["run"] as? String != all["run"] as? String)
    }

    @Test func tabularWithCategoricalShorthand() throws {
        let ref = try csv("ref.csv", rows: 300, shift: 0, seed: 6)
        let fit = try assay(["detector", "fit", "tabular", "--reference", ref, "--param", "categorical=2", "--json"])
        #expect(fit.status == 0, "\(fit.stderr)")
        let cpf = (try json(fit)["parameters"] as? [String: Any])?["categories_per_feature"] as? [String: Any]
        #expect(cpf?.keys.sorted() == ["2"])
    }

    @Test func unknownParameterListsTheValidOnes() throws {
        let r = try assay(["detector", "fit", "ks", "--reference", try csv("r.csv", rows: 10, shift: 0, seed: 7), "--param", "pval=0.1"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("not a parameter of ks"))
        #expect(r.stderr.contains("alternative, correction, drift_type, method, p_val"))
    }

    @Test func badParameterValues() throws {
        let ref = try csv("r.csv", rows: 10, shift: 0, seed: 8)
        for (param, message) in [("p_val=2", "outside (0.0, 1.0)"), ("correction=holm", "not one of bonferroni, fdr"),
                                 ("method=fast", "not one of asymp, exact, auto"), ("p_val=abc", "not a number")] {
            let r = try assay(["detector", "fit", "ks", "--reference", ref, "--param", param])
            #expect(r.status == 2, "\(param)")
            #expect(r.stderr.contains(message), "\(param): \(r.stderr)")
        }
        let kind = try assay(["detector", "fit", "bogus", "--reference", ref])
        #expect(kind.status == 2)
        #expect(kind.stderr.contains("ks, cvm, chisquare, tabular, fet, mmd, lsdd"))
    }

    @Test func mismatchedFeaturesNaNAndEmptyInput() throws {
        let ref = try csv("r.csv", rows: 50, shift: 0, seed: 9)
        #expect(try assay(["detector", "fit", "ks", "--reference", ref, "--name", "detector:ks"]).status == 0)
        let narrow = try dir.write("narrow.csv", "a,b\n1,2\n3,4\n")
        let r1 = try assay(["detect", "detector:ks", "--input", narrow])
        #expect(r1.status == 2)
        #expect(r1.stderr.contains("has 2 features per row, the reference has 3"))
        let nan = try dir.write("nan.csv", "a,b,c\n1,2,3\n4,nan,6\n")
        let r2 = try assay(["detect", "detector:ks", "--input", nan])
        #expect(r2.status == 2)
        #expect(r2.stderr.contains("input row 2, feature 1: is nan"))
        let empty = try dir.write("empty.csv", "a,b,c\n")
        let r3 = try assay(["detect", "detector:ks", "--input", empty])
        #expect(r3.status == 2)
        #expect(r3.stderr.contains("no data rows"))
        let log = try assay(["log", "--operation", "detect", "--json"])
        let runs = try JSONSerialization.jsonObject(with: Data(log.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(runs.allSatisfy { $0["status"] as? String == "failed" }, "failed detections are recorded as failed runs")
    }

    @Test func oneRowWindowAndConstantFeatures() throws {
        let ref = try dir.write("const.csv", "a,b\n" + String(repeating: "1,5\n", count: 20))
        #expect(try assay(["detector", "fit", "ks", "--reference", ref, "--name", "detector:c"]).status == 0)
        let one = try assay(["detect", "detector:c", "--input", try dir.write("one.csv", "a,b\n1,5\n"), "--json"])
        #expect(one.status == 0, "\(one.stderr)")
        let d = try json(one)
        #expect(d["is_drift"] as? Int == 0)
        #expect(d["p_val"] as? [Double] == [1, 1])
        #expect(d["distance"] as? [Double] == [0, 0])
    }

    @Test func anArtifactThatIsNotADetector() throws {
        let f = try dir.write("x.csv", "a\n1\n")
        #expect(try assay(["add", f, "--name", "dataset:x"]).status == 0)
        let r = try assay(["detect", "dataset:x", "--input", f])
        #expect(r.status == 2)
        #expect(r.stderr.contains("not a detector"))
    }

    @Test func chiSquareCategoryMissingEverywhere() throws {
        let ref = try dir.write("cat.csv", "c\n0\n1\n0\n1\n")
        #expect(try assay(["detector", "fit", "chisquare", "--reference", ref, "--name", "detector:chi", "--param", "categories_per_feature={\"0\":3}"]).status == 0)
        let r = try assay(["detect", "detector:chi", "--input", try dir.write("b.csv", "c\n0\n1\n")])
        #expect(r.status == 2)
        #expect(r.stderr.contains("category 2.0: occurs in neither"), "\(r.stderr)")
        // A category never seen in the reference is allowed (added to the table).
        #expect(try assay(["detector", "fit", "chisquare", "--reference", ref, "--name", "detector:chi2"]).status == 0)
        let unseen = try assay(["detect", "detector:chi2", "--input", try dir.write("u.csv", "c\n0\n1\n2\n2\n"), "--json"])
        #expect(unseen.status == 0, "\(unseen.stderr)")
    }

    /// A CSV of `rows` rows of 16 values (4×4 one-channel images), brightened by `shift`.
    func images(_ name: String, rows: Int, shift: Double, seed: UInt64) throws -> String {
        var x = seed
        func u() -> Double { x = x &* 6364136223846793005 &+ 1442695040888963407; return Double(x >> 11) / 9007199254740992.0 }
        var text = (0..<16).map { "p\($0)" }.joined(separator: ",") + "\n"
        for _ in 0..<rows { text += (0..<16).map { _ in "\(u() + shift)" }.joined(separator: ",") + "\n" }
        return try dir.write(name, text)
    }

    @Test func preprocessingIsStoredAndAppliedToBatches() throws {
        let ref = try images("ref.csv", rows: 300, shift: 0, seed: 11)
        for (spec, name) in [("uae:dim=4,shape=4x4x1", "detector:uae"), ("uae:dim=3", "detector:uae-dense"), ("pca:dim=2", "detector:pca")] {
            let fit = try assay(["detector", "fit", "ks", "--reference", ref, "--preprocess", spec, "--seed", "3", "--name", name, "--json"])
            #expect(fit.status == 0, "\(spec): \(fit.stderr)")
            let same = try json(try assay(["detect", name, "--input", try images("s-\(name).csv", rows: 200, shift: 0, seed: 12), "--json"]))
            let bright = try json(try assay(["detect", name, "--input", try images("b-\(name).csv", rows: 200, shift: 0.5, seed: 13), "--json"]))
            #expect(same["is_drift"] as? Int == 0, "\(spec) on same-distribution data: \(same)")
            #expect(bright["is_drift"] as? Int == 1, "\(spec) on brightened data: \(bright)")
        }
        // Same seed, same detector bytes; the preprocessor is an input of every detection.
        let again = try json(try assay(["detector", "fit", "ks", "--reference", ref, "--preprocess", "uae:dim=4,shape=4x4x1", "--seed", "3", "--json"]))
        let first = try json(try assay(["show", "detector:uae", "--json"]))
        #expect((first["artifact"] as? [String: Any])?["id"] as? String == again["detector"] as? String)
        let bad = try assay(["detector", "fit", "ks", "--reference", ref, "--preprocess", "uae:dim=4,shape=3x3x1"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("image shape"))
        let unknown = try assay(["detector", "fit", "ks", "--reference", ref, "--preprocess", "tsne:dim=2"])
        #expect(unknown.status == 2)
    }

    @Test func errorsNameTheFileTheUserTyped() throws {
        let r = try assay(["detector", "fit", "ks", "--reference", dir.file("nope.csv")])
        #expect(r.status == 2)
        #expect(r.stderr.contains("nope.csv: no such file"))
        let bad = try dir.write("bad.csv", "a,b\n1,x\n")
        let r2 = try assay(["detector", "fit", "ks", "--reference", bad])
        #expect(r2.status == 2)
        #expect(r2.stderr.contains("bad.csv (sha256:"), "\(r2.stderr)")
        #expect(r2.stderr.contains("line 2, column 2 (b): \"x\" is not a number"))
        let npy = try dir.write("bad.npy", [0x93] + Array("NUMPY".utf8) + [9, 9, 0, 0])
        let r3 = try assay(["detector", "fit", "ks", "--reference", npy])
        #expect(r3.status == 2)
        #expect(r3.stderr.contains("bad.npy (sha256:"), "\(r3.stderr)")
    }

    /// Black-box shift detection: a KS detector on the ZipMap probabilities of the iris logistic
    /// regression fixture; the model is an input of the fit and of every detection.
    @Test func blackBoxShiftDetectionOnModelOutputs() throws {
        let onnx = AssayBinary.packageRoot + "/Tests/AssayModelsTests/Fixtures/sklearn/logreg_iris.onnx"
        #expect(try assay(["model", "add", onnx, "--name", "model:iris@v1"]).status == 0)
        var x: UInt64 = 7
        func u() -> Double { x = x &* 6364136223846793005 &+ 1442695040888963407; return Double(x >> 11) / 9007199254740992.0 }
        func rows(_ n: Int, petalShift: Double) -> String {
            var text = "sl,sw,pl,pw\n"
            for _ in 0..<n { text += "\(5 + u()),\(3 + u()),\(1 + 5 * u() + petalShift),\(2 * u() + petalShift / 2)\n" }
            return text
        }
        let ref = try dir.write("iris_ref.csv", rows(300, petalShift: 0))
        let same = try dir.write("iris_same.csv", rows(200, petalShift: 0))
        let shifted = try dir.write("iris_shift.csv", rows(200, petalShift: 1.5))
        let fit = try assay(["detector", "fit", "ks", "--reference", ref, "--preprocess", "bbsd:model=model:iris@v1", "--name", "detector:bbsd", "--json"])
        #expect(fit.status == 0, "\(fit.stderr)")
        #expect(try json(fit)["features"] as? Int == 3)
        let a = try json(try assay(["detect", "detector:bbsd", "--input", same, "--json"]))
        let b = try json(try assay(["detect", "detector:bbsd", "--input", shifted, "--json"]))
        #expect(a["is_drift"] as? Int == 0)
        #expect(b["is_drift"] as? Int == 1)
        let lineage = try assay(["lineage", try #require(b["result"] as? String), "--up", "--json"])
        #expect(lineage.stdout.contains("\"model\""), "\(lineage.stdout.prefix(400))")
        let badOutput = try assay(["detector", "fit", "ks", "--reference", ref, "--preprocess", "bbsd:model=model:iris@v1,output=nope"])
        #expect(badOutput.status == 2)
        #expect(badOutput.stderr.contains("no output nope"), "\(badOutput.stderr)")
        let notAModel = try assay(["detector", "fit", "ks", "--reference", ref, "--preprocess", "bbsd:model=\(ref)"])
        #expect(notAModel.status == 2)
        let noModel = try assay(["detector", "fit", "ks", "--reference", ref, "--preprocess", "bbsd:output=x"])
        #expect(noModel.status == 2)
        #expect(noModel.stderr.contains("model is required"), "\(noModel.stderr)")
    }
}
