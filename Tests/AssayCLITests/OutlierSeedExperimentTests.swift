import Foundation
import Testing
import _AssayTestSupport

/// The seed's outlier experiment: a VAE trained (here, seeded) on clean digits, one held-out
/// digit with gaussian noise of increasing strength at ten levels; the detector calls the first
/// three inliers and the rest outliers, `[0, 0, 0, 1, 1, 1, 1, 1, 1, 1]`, with scores that grow
/// with the noise.
@Suite struct OutlierSeedExperimentTests: CLIWorkspaceSuite {
    let workspace: CLIWorkspace

    init() throws {
        workspace = try CLIWorkspace()
    }

    /// Noise standard deviations (pixels scaled to [0, 1]).
    static let levels = [0, 0.05, 0.1, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]

    @Test func increasingNoiseIsFlaggedFromTheFourthLevelOn() throws {
        let lines = try String(contentsOfFile: AssayBinary.packageRoot + "/notebooks/data/digits.csv", encoding: .utf8)
            .split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
        let header = lines[0].prefix(64).joined(separator: ",")
        let images = lines.dropFirst().map { $0.prefix(64).map { Double($0)! / 16 } }
        let ref = try dir.write("ref.csv", header + "\n" + images.prefix(1500).map { $0.map { String($0) }.joined(separator: ",") }.joined(separator: "\n") + "\n")
        // A held-out image with seeded gaussian noise (Box–Muller on a 64-bit LCG), clipped to [0, 1].
        var state: UInt64 = 42
        func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return (Double(state >> 11) + 0.5) / 9007199254740992.0
        }
        func gauss() -> Double { (-2 * Foundation.log(uniform())).squareRoot() * Foundation.cos(2 * Double.pi * uniform()) }
        let image = images[1500]
        let noisy = Self.levels.map { sigma in image.map { min(1, max(0, $0 + sigma * gauss())) } }
        let batch = try dir.write("noisy.csv", header + "\n" + noisy.map { $0.map { String($0) }.joined(separator: ",") }.joined(separator: "\n") + "\n")

        let fit = try assay(["detector", "fit", "vae", "--reference", ref, "--name", "detector:vae", "--seed", "0", "--param", "hidden=[32]",
                             "--param", "latent_dim=8", "--param", "epochs=40", "--param", "output_activation=sigmoid"])
        try #require(fit.status == 0, "\(fit.stderr)")
        let r = try json(try assay(["detect", "detector:vae", "--input", batch, "--json"]))
        let flags = try #require(r["is_outlier"] as? [Int])
        let scores = try #require(r["instance_score"] as? [Double])
        #expect(flags == [0, 0, 0, 1, 1, 1, 1, 1, 1, 1], "scores \(scores), threshold \(r["threshold"] ?? "?")")
        // The score grows with the noise (allowing two inversions: the noise and the latent samples are random).
        let inversions = (2..<scores.count).filter { scores[$0] < scores[$0 - 1] }.count
        #expect(inversions <= 2, "\(scores)")
        #expect(scores[9] > 3 * scores[0], "\(scores)")
        // Feature scores: one per pixel.
        #expect((r["feature_score"] as? [[Double]])?.allSatisfy { $0.count == 64 } == true)
    }
}
