import AssayNumerics
import Foundation
import Testing
import _AssayTestSupport

/// ``ImageCorruption`` and ``ImageShape``: each corruption's documented effect, severity order on
/// the digits, invariants on constant images, determinism, and bad arguments.
struct ImageCorruptionTests {
    static let digitsShape = try! ImageShape(parsing: "8x8x1")

    /// The pixels of `notebooks/data/digits.csv` (label dropped), `[1797, 64]`.
    static let digits: Tensor<Double> = {
        let text = (try? String(contentsOfFile: AssayBinary.packageRoot + "/notebooks/data/digits.csv", encoding: .utf8)) ?? ""
        let rows = text.split(separator: "\n").dropFirst().map { line in
            line.split(separator: ",").prefix(64).map { Double($0) ?? .nan }
        }
        return (try? Tensor(rows: Array(rows))) ?? Tensor(zeros: [0, 64])
    }()

    static func constant(_ value: Double, rows: Int, shape: ImageShape) -> Tensor<Double> {
        try! Tensor(shape: [rows, shape.valueCount], scalars: Array(repeating: value, count: rows * shape.valueCount))
    }

    static func meanAbsoluteChange(_ a: Tensor<Double>, _ b: Tensor<Double>) -> Double {
        zip(a.scalars, b.scalars).reduce(0) { $0 + abs($1.0 - $1.1) } / Double(a.scalars.count)
    }

    static func corrupt(_ kind: ImageCorruption, _ images: Tensor<Double>, shape: ImageShape = digitsShape, severity: Int,
                        range: ClosedRange<Double> = 0...16, seed: UInt64 = 0) throws -> Tensor<Double> {
        var rng = SeededGenerator(seed: seed).child("corrupt").child(kind.rawValue)
        return try kind.apply(to: images, shape: shape, severity: severity, range: range, rng: &rng)
    }

    @Test func digitsAreLoaded() throws {
        #expect(Self.digits.shape == [1797, 64])
        #expect(ImageCorruption.observedRange(of: Self.digits) == 0...16)
    }

    @Test(arguments: ImageCorruption.allCases)
    func severityIsMonotoneInMeanAbsoluteChangeOnTheDigits(kind: ImageCorruption) throws {
        let changes = try ImageCorruption.severities.map { try Self.meanAbsoluteChange(Self.corrupt(kind, Self.digits, severity: $0), Self.digits) }
        for i in 1..<changes.count {
            #expect(changes[i] > changes[i - 1], "\(kind): severity \(i + 1) changes \(changes[i]), severity \(i) changes \(changes[i - 1])")
        }
        #expect(changes[0] > 0)
    }

    @Test(arguments: ImageCorruption.allCases)
    func resultsStayInTheRange(kind: ImageCorruption) throws {
        let out = try Self.corrupt(kind, Self.digits, severity: 5)
        #expect(out.shape == [1797, 64])
        #expect(out.scalars.allSatisfy { (0...16).contains($0) })
    }

    @Test(arguments: 1...5)
    func brightnessShiftsTheMeanByTheDocumentedAmount(severity: Int) throws {
        // Values 0…8 with range 0…16: no value reaches 16 even at +0.5·16, so nothing is clipped.
        let image = (0..<64).map { Double($0 % 9) }
        let x = try Tensor(shape: [1, 64], scalars: image)
        let out = try Self.corrupt(.brightness, x, severity: severity)
        let shift = ImageCorruption.brightnessShifts[severity - 1] * 16
        #expect(abs(out.scalars.reduce(0, +) / 64 - (image.reduce(0, +) / 64 + shift)) < 1e-12)
        #expect(zip(out.scalars, image).allSatisfy { $0 == $1 + shift })
        // At the top of the range, values clip.
        let top = try Self.corrupt(.brightness, Self.constant(16, rows: 1, shape: Self.digitsShape), severity: severity)
        #expect(top.scalars.allSatisfy { $0 == 16 })
    }

    @Test(arguments: [("8x8x1", 7.0), ("5x7x3", 3.0), ("32x32x3", 0.5), ("1x1x1", 2.0)])
    func pixelationOfAConstantImageIsTheIdentity(shapeText: String, value: Double) throws {
        let shape = try ImageShape(parsing: shapeText)
        let x = Self.constant(value, rows: 2, shape: shape)
        for severity in ImageCorruption.severities {
            #expect(try Self.corrupt(.pixelation, x, shape: shape, severity: severity) == x, "severity \(severity)")
        }
    }

    @Test func pixelationAveragesAreasThenScalesUpByNearestNeighbour() throws {
        // 4×4 at severity 3 (ratio 1/2): 2×2 cells, each the mean of a 2×2 block.
        let image: [Double] = [0, 2, 4, 4,
                               2, 0, 8, 8,
                               1, 1, 0, 16,
                               1, 1, 16, 0]
        let shape = try ImageShape(parsing: "4x4x1")
        let out = try Self.corrupt(.pixelation, try Tensor(shape: [1, 16], scalars: image), shape: shape, severity: 3)
        #expect(out.scalars == [1, 1, 6, 6,
                                1, 1, 6, 6,
                                1, 1, 8, 8,
                                1, 1, 8, 8])
        // 8×8 digits: 7, 5, 4, 3, 2 distinct cells a side.
        for (severity, cells) in zip(1...5, [7, 5, 4, 3, 2]) {
            let ramp = try Tensor(shape: [1, 64], scalars: (0..<64).map { Double($0 % 8) })   // 0…7 left to right
            let row = Array(try Self.corrupt(.pixelation, ramp, severity: severity).scalars[0..<8])
            #expect(Set(row).count == cells, "severity \(severity): \(row)")
        }
    }

    @Test func pixelationKeepsChannelsApart() throws {
        // 2×2×2: channel 0 all 4, channel 1 a checkerboard 0/8 averaging to 4 at severity 5 (1 cell).
        let shape = try ImageShape(parsing: "2x2x2")
        let out = try Self.corrupt(.pixelation, try Tensor(shape: [1, 8], scalars: [4, 0, 4, 8, 4, 8, 4, 0]), shape: shape, severity: 5)
        #expect(out.scalars == [4, 4, 4, 4, 4, 4, 4, 4])
    }

    @Test(arguments: [UInt64(0), 1, 99])
    func motionBlurPreservesAConstantImage(seed: UInt64) throws {
        for (shapeText, value) in [("8x8x1", 5.0), ("6x9x3", 11.0)] {
            let shape = try ImageShape(parsing: shapeText)
            let x = Self.constant(value, rows: 20, shape: shape)
            for severity in ImageCorruption.severities {
                #expect(try Self.corrupt(.motionBlur, x, shape: shape, severity: severity, seed: seed) == x, "\(shapeText) severity \(severity)")
            }
        }
    }

    @Test func motionBlurAlongARowIsAKernelOfOneQuarterOneHalfOneQuarter() throws {
        // Length 2 horizontally: samples at x ± 0.5, i.e. I[x−1]/4 + I[x]/2 + I[x+1]/4, edges clamped.
        let shape = try ImageShape(parsing: "1x4x1")
        let out = ImageCorruption.motionBlur([0, 4, 8, 0], shape: shape, length: 2, direction: (dx: 1, dy: 0), range: 0...16)
        #expect(out == [1, 4, 5, 2])
        // Vertically it leaves a single row alone; the same kernel runs down columns.
        #expect(ImageCorruption.motionBlur([0, 4, 8, 0], shape: shape, length: 2, direction: (dx: 0, dy: 1), range: 0...16) == [0, 4, 8, 0])
        let column = try ImageShape(parsing: "4x1x1")
        #expect(ImageCorruption.motionBlur([0, 4, 8, 0], shape: column, length: 2, direction: (dx: 0, dy: -1), range: 0...16) == [1, 4, 5, 2])
    }

    @Test func randomDirectionsAreUnitVectorsCoveringTheCircle() {
        var rng = SeededGenerator(seed: 3).child("direction")
        var quadrants = [0, 0, 0, 0]
        for _ in 0..<400 {
            let (dx, dy) = ImageCorruption.randomDirection(rng: &rng)
            #expect(abs(dx * dx + dy * dy - 1) < 1e-12)
            quadrants[(dx >= 0 ? 0 : 1) + (dy >= 0 ? 0 : 2)] += 1
        }
        #expect(quadrants.allSatisfy { $0 > 70 }, "\(quadrants)")
    }

    @Test(arguments: [1, 2])
    func gaussianNoiseHasTheDocumentedStandardDeviationOnMidGrey(severity: Int) throws {
        // Mid-grey 8 in 0…16: σ = 1.28 or 1.92, clipping at more than 4σ is negligible.
        let x = Self.constant(8, rows: 300, shape: Self.digitsShape)
        let out = try Self.corrupt(.gaussianNoise, x, severity: severity, seed: 11)
        let sigma = ImageCorruption.gaussianNoiseScales[severity - 1] * 16
        let n = Double(out.scalars.count)
        let mean = out.scalars.reduce(0, +) / n
        let sd = (out.scalars.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot()
        #expect(abs(mean - 8) < 4 * sigma / n.squareRoot(), "mean \(mean)")
        #expect(abs(sd / sigma - 1) < 0.03, "sd \(sd), σ \(sigma)")
    }

    @Test(arguments: ImageCorruption.allCases)
    func sameSeedSameBitsDifferentSeedDifferentBitsWhereRandom(kind: ImageCorruption) throws {
        let images = try Self.digits.reshaped([1797, 64])
        let a = try Self.corrupt(kind, images, severity: 3, seed: 5)
        let b = try Self.corrupt(kind, images, severity: 3, seed: 5)
        #expect(a.scalars.map(\.bitPattern) == b.scalars.map(\.bitPattern))
        let c = try Self.corrupt(kind, images, severity: 3, seed: 6)
        switch kind {
        case .gaussianNoise, .motionBlur: #expect(a != c)
        case .brightness, .pixelation: #expect(a == c)
        }
    }

    @Test func pinnedBits() throws {
        // Frozen outputs (operation version 1): a change here changes recorded artifacts.
        let first = try Tensor(shape: [1, 64], scalars: Array(Self.digits.scalars[0..<64]))
        let noise = try Self.corrupt(.gaussianNoise, first, severity: 3, seed: 7)
        let blur = try Self.corrupt(.motionBlur, first, severity: 3, seed: 7)
        let pixel = try Self.corrupt(.pixelation, first, severity: 2, seed: 7)
        #expect(noise.scalars[0..<4].map(\.bitPattern) == [0, 4614423634506328536, 4619239222323980259, 4623385690638230462])
        #expect(blur.scalars[9..<12].map(\.bitPattern) == [4617362465848335080, 4620828677188691340, 4622537040409016770])
        #expect(pixel.scalars[9..<12].map(\.bitPattern) == [0, 4619250658426486784, 4622698726891192320])
    }

    @Test func badArguments() throws {
        let x = Self.constant(1, rows: 2, shape: Self.digitsShape)
        for severity in [0, 6, -1] {
            #expect(throws: NumericsError.self) { try Self.corrupt(.brightness, x, severity: severity) }
        }
        #expect(throws: NumericsError.shapeMismatch("rows have 64 values, images of shape 4x4x1 have 16")) {
            try Self.corrupt(.brightness, x, shape: try ImageShape(parsing: "4x4x1"), severity: 1)
        }
        var scalars = x.scalars
        scalars[70] = .nan
        #expect(throws: NumericsError.nonFinite(where: "row 2, column 7 (nan)")) {
            try Self.corrupt(.gaussianNoise, try Tensor(shape: [2, 64], scalars: scalars), severity: 1)
        }
        #expect(throws: NumericsError.self) { try Self.corrupt(.brightness, x, severity: 1, range: 0...Double.infinity) }
        #expect(ImageCorruption.observedRange(of: Tensor(zeros: [0, 64])) == nil)
        #expect(ImageCorruption.observedRange(of: try Tensor(shape: [2], scalars: [1, .nan])) == nil)
    }

    @Test(arguments: [("8x8x1", [8, 8, 1]), ("32X32x3", [32, 32, 3]), ("28x28", [28, 28, 1]), ("4×5×2", [4, 5, 2])])
    func shapesParse(text: String, dims: [Int]) throws {
        let shape = try ImageShape(parsing: text)
        #expect(shape.dimensions == dims)
        #expect(shape.valueCount == dims.reduce(1, *))
        #expect(try ImageShape(parsing: shape.description) == shape)
    }

    @Test(arguments: ["", "8", "8x8x", "x8x1", "8by8", "0x8x1", "8x-8x1", "+8x8x1", "8x8x1x1", "8.0x8x1", " 8x8x1", "99999x99999x99", "1234567890x1x1"])
    func malformedShapesAreRejected(text: String) {
        #expect(throws: NumericsError.self) { try ImageShape(parsing: text) }
    }
}
