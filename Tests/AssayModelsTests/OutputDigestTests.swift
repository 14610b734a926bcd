import Foundation
import Testing
@testable import AssayModels

/// Pins the exact output bytes of several models to digests, so that a debug build, a release
/// build and another machine must all produce the same bits (DESIGN.md, invariant 3). A change
/// to any kernel's arithmetic shows up here; update a digest only when an output is meant to
/// change, and say why in the commit.
@Suite struct OutputDigestTests {
    /// FNV-1a over the 64-bit words of `exactBytes`, for each output in order.
    static func digest(_ outputs: [(name: String, value: ModelValue)]) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for (name, value) in outputs {
            for word in name.utf8.map({ UInt64($0) }) + exactBytes(value) {
                for shift in stride(from: 0, to: 64, by: 8) {
                    h ^= (word >> UInt64(shift)) & 0xff
                    h = h &* 0x0000_0100_0000_01b3
                }
            }
        }
        return String(h, radix: 16)
    }

    /// Recorded from a debug build on x86-64 Linux (Swift 6.3.1) and checked in a release build.
    static let expected: [String: String] = [
        "forest_breast_cancer": "a5e6f80717281a00",
        "gboost_diabetes": "6aa7cfa0ed29d7d7",
        "gboost_iris": "8d30545ec5f449d0",
        "linear_and_scaling": "5ebcabc01314d520",
        "logreg_iris": "ba2198304fc5c8f9",
        "logreg_iris_nan": "e3c0c6c03fe5a88f",
        "pipeline_wine": "87b9ea151029ba3f",
        "tensor_operators": "e49293d63e9010cb",
        "trees_classifier_binary": "f563c2ba80141be1",
        "trees_regressor_average": "83d429907a8a83d4",
        "trees_regressor_double": "55495602645c74e2",
    ]

    @Test(arguments: ["logreg_iris", "logreg_iris_nan", "forest_breast_cancer", "gboost_iris", "gboost_diabetes",
                      "pipeline_wine", "trees_regressor_average", "trees_regressor_double", "trees_classifier_binary",
                      "linear_and_scaling", "tensor_operators"])
    func outputsHaveTheirPinnedDigest(_ name: String) throws {
        let fixture = try ModelFixture.parityCase(name)
        let outputs = try InferenceSession(data: fixture.model).run(inputs: fixture.inputs)
        let got = Self.digest(outputs)
        #expect(got == Self.expected[name], "\(name)")
    }
}
