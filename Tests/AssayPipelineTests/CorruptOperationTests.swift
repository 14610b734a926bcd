import AssayNumerics
import AssayPipeline
import Testing

/// ``CorruptOperation/corrupt(_:columns:kind:severity:shape:seed:place:)``: the trailing column,
/// the observed range, and input errors.
struct CorruptOperationTests {
    static let shape = try! ImageShape(parsing: "2x2x1")

    @Test func aTrailingColumnIsKeptAndLeftOutOfTheRange() throws {
        // Pixels 0…4, labels 9 and 100: the range is the pixels' [0, 4], labels pass unchanged.
        let x = try Tensor(shape: [2, 5], scalars: [0, 1, 2, 3, 9,
                                                   4, 3, 2, 1, 100])
        let out = try CorruptOperation.corrupt(x, columns: ["p0", "p1", "p2", "p3", "label"], kind: .brightness, severity: 5,
                                               shape: Self.shape, seed: 0, place: "x.csv")
        #expect(out.range == 0...4)
        #expect(out.keptColumn == "label")
        #expect(out.matrix.shape == [2, 5])
        #expect(out.matrix.scalars == [2, 3, 4, 4, 9,
                                       4, 4, 4, 3, 100])
        let npy = try CorruptOperation.corrupt(x, columns: nil, kind: .pixelation, severity: 5, shape: Self.shape, seed: 0, place: "x.npy")
        #expect(npy.keptColumn == "column 5")
        #expect(npy.matrix.scalars == [1.5, 1.5, 1.5, 1.5, 9, 2.5, 2.5, 2.5, 2.5, 100])
    }

    @Test func pixelsOnlyAndImageTensors() throws {
        // A rank-4 tensor [n, H, W, C] is read as rows.
        let x = try Tensor(shape: [1, 2, 2, 1], scalars: [0, 1, 2, 3])
        let out = try CorruptOperation.corrupt(x, columns: nil, kind: .brightness, severity: 1, shape: Self.shape, seed: 0, place: "x.npy")
        #expect(out.keptColumn == nil)
        #expect(out.matrix.shape == [1, 4])
        #expect(out.matrix.scalars == [0.30000000000000004, 1.3, 2.3, 3])
    }

    @Test func constantInputIsUnchanged() throws {
        let x = try Tensor(shape: [3, 4], scalars: Array(repeating: 5, count: 12))
        for kind in ImageCorruption.allCases {
            let out = try CorruptOperation.corrupt(x, columns: nil, kind: kind, severity: 5, shape: Self.shape, seed: 1, place: "x")
            #expect(out.matrix == x, "\(kind)")
        }
    }

    @Test func badInput() throws {
        func fails(_ x: Tensor<Double>, severity: Int = 1, _ message: String) {
            #expect {
                _ = try CorruptOperation.corrupt(x, columns: nil, kind: .gaussianNoise, severity: severity, shape: Self.shape, seed: 0, place: "x")
            } throws: { error in
                let text = (error as? PipelineError)?.description ?? ""
                return text.contains(message)
            }
        }
        fails(try Tensor(shape: [0, 4], scalars: []), "x: the input has no images (0 rows of 4 values)")
        fails(try Tensor(shape: [1, 6], scalars: Array(repeating: 1, count: 6)), "x: --shape 2x2x1: rows have 6 values; images 2x2x1 need 4")
        fails(try Tensor(shape: [1, 4], scalars: [1, 2, .infinity, 4]), "x: row 1, column 3: is inf")
        fails(try Tensor(shape: [1, 4], scalars: [1, 2, 3, 4]), severity: 0, "--severity 0: is outside 1–5")
        fails(try Tensor(shape: [1, 10], scalars: Array(repeating: 1, count: 10)), "e.g. --shape 3x3x1")
    }
}
