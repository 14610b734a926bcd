import AssayNumerics
import Testing

/// Accuracy and special values of ``DeterministicMath``. Reference values are correctly rounded
/// results from mpmath (`Fixtures/deterministic_math.json`, written by
/// `scripts/fixtures/numerics_rng.py`); fdlibm's algorithms promise less than 1 ulp of error,
/// so every result must be the correctly rounded double or one of its two neighbours.
struct DeterministicMathTests {
    struct File: Decodable {
        let generator: Fixture.Generator
        let tables: [String: [[String]]]
    }

    static let file: File? = try? Fixture.load("deterministic_math", as: File.self)

    /// Distance in representable doubles between two finite values (or equal infinities).
    static func ulps(_ a: Double, _ b: Double) -> UInt64 {
        if a == b { return 0 }
        func ordered(_ x: Double) -> Int64 {
            let bits = Int64(bitPattern: x.bitPattern)
            return bits < 0 ? Int64.min - bits : bits  // monotone in x, -0 and +0 adjacent
        }
        return ordered(a) > ordered(b)
            ? UInt64(bitPattern: ordered(a) &- ordered(b))
            : UInt64(bitPattern: ordered(b) &- ordered(a))
    }

    enum Function: String, CaseIterable, Sendable {
        case log, exp, log1p

        func callAsFunction(_ x: Double) -> Double {
            switch self {
            case .log: DeterministicMath.log(x)
            case .exp: DeterministicMath.exp(x)
            case .log1p: DeterministicMath.log1p(x)
            }
        }
    }

    @Test("within 1 ulp of the correctly rounded value", arguments: Function.allCases)
    func accuracy(_ f: Function) throws {
        let file = try #require(Self.file, "Fixtures/deterministic_math.json did not load")
        let table = try #require(file.tables[f.rawValue])
        #expect(table.count >= 500)
        var worst: UInt64 = 0
        var exact = 0
        for row in table {
            let x = Fixture.double(row[0])
            let expected = Fixture.double(row[1])
            let got = f(x)
            let d = Self.ulps(got, expected)
            worst = max(worst, d)
            if d == 0 { exact += 1 }
            #expect(d <= 1, "\(f)(\(x)) [\(row[0])] = \(got), correctly rounded \(expected)")
        }
        // fdlibm is correctly rounded on most inputs (on these tables: log 99.7%, log1p 97.9%,
        // exp 93.4%); a port with a wrong coefficient would still often land within 1 ulp but
        // would lose this.
        #expect(Double(exact) / Double(table.count) > 0.9, "\(f): \(exact) of \(table.count) exact")
    }

    @Test func fixtureNamesItsVersions() throws {
        let file = try #require(Self.file)
        #expect(!file.generator.mpmath.isEmpty)
        #expect(!file.generator.python.isEmpty)
    }

    @Test func logSpecialValues() {
        let log = DeterministicMath.log
        #expect(log(0) == -.infinity)
        #expect(log(-0.0) == -.infinity)
        #expect(log(-1).bitPattern == Double.nan.bitPattern)
        #expect(log(-.infinity).bitPattern == Double.nan.bitPattern)
        #expect(log(-Double.leastNonzeroMagnitude).isNaN)
        #expect(log(.infinity) == .infinity)
        #expect(log(1).bitPattern == (0.0).bitPattern)
        #expect(log(.leastNonzeroMagnitude) == -744.4400719213812)
        #expect(log(.greatestFiniteMagnitude) == 709.782712893384)
        #expect(log(2) == 0.6931471805599453)
        let payload = Double(nan: 0x1234, signaling: false)
        #expect(log(payload).bitPattern == payload.bitPattern)
        #expect(log(-payload).bitPattern == (-payload).bitPattern)
    }

    @Test func expSpecialValues() {
        let exp = DeterministicMath.exp
        #expect(exp(0) == 1)
        #expect(exp(-0.0) == 1)
        #expect(exp(.infinity) == .infinity)
        #expect(exp(-.infinity).bitPattern == (0.0).bitPattern)
        #expect(exp(710) == .infinity)
        #expect(exp(-746).bitPattern == (0.0).bitPattern)
        // fdlibm's exp(1) is one ulp above the correctly rounded e (as Java's StrictMath.exp(1)).
        #expect(exp(1) == 2.7182818284590455)
        // The underflow threshold itself still rounds up to the least subnormal; below it, 0.
        #expect(exp(-745.1332191019411) == .leastNonzeroMagnitude)
        #expect(exp((-745.1332191019411).nextDown).bitPattern == (0.0).bitPattern)
        #expect(exp(709.782712893384).isFinite)
        #expect(exp(1e-300) == 1)
        let payload = Double(nan: 0x1234, signaling: false)
        #expect(exp(payload).bitPattern == payload.bitPattern)
        #expect(exp(-payload).bitPattern == (-payload).bitPattern)
    }

    @Test func log1pSpecialValues() {
        let log1p = DeterministicMath.log1p
        #expect(log1p(0).bitPattern == (0.0).bitPattern)
        #expect(log1p(-0.0).bitPattern == (-0.0).bitPattern)
        #expect(log1p(-1) == -.infinity)
        #expect(log1p(-2).bitPattern == Double.nan.bitPattern)
        #expect(log1p(-.infinity).bitPattern == Double.nan.bitPattern)
        #expect(log1p(.infinity) == .infinity)
        #expect(log1p(1e-300) == 1e-300)
        #expect(log1p(Double.leastNonzeroMagnitude) == .leastNonzeroMagnitude)
        let payload = Double(nan: 0x1234, signaling: false)
        #expect(log1p(payload).bitPattern == payload.bitPattern)
        #expect(log1p(-payload).bitPattern == (-payload).bitPattern)
    }

    /// log and exp are monotone, and exp(log(x)) comes back close to x.
    @Test func monotoneAndInverse() {
        var g = SeededGenerator(seed: 42).child("math-monotone")
        for _ in 0..<5_000 {
            let x = g.uniform(in: -700.0...700.0)
            let y = x.nextUp
            #expect(DeterministicMath.exp(x) <= DeterministicMath.exp(y))
            let p = DeterministicMath.exp(x)
            #expect(DeterministicMath.log(p) <= DeterministicMath.log(p.nextUp))
            let back = DeterministicMath.log(p)
            #expect(abs(back - x) <= 4 * x.ulp + 1e-300, "log(exp(\(x))) = \(back)")
        }
    }

    /// A fingerprint of log, exp and log1p on 30 000 generated inputs. Pinned from this
    /// implementation: it must come out the same on every machine, compiler and build mode,
    /// which is the whole point of this type.
    @Test func outputFingerprint() {
        var g = SeededGenerator(seed: 42).child("math-fingerprint")
        var h = FNV1a()
        for _ in 0..<10_000 {
            let bits = g.next64()
            let any = Double(bitPattern: bits)  // every class: subnormal, huge, negative, NaN
            h.add(bigEndian: DeterministicMath.log(any).bitPattern)
            h.add(bigEndian: DeterministicMath.log1p(any).bitPattern)
            let x = g.uniform(in: -750.0...750.0)
            h.add(bigEndian: DeterministicMath.exp(x).bitPattern)
        }
        #expect(h.value == 0x8278_ed30_0da2_36d2)
    }
}
