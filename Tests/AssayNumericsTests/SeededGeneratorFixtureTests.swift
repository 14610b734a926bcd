import AssayNumerics
import Testing

/// Cross-checks ``SeededGenerator`` against the independent Python reimplementation in
/// `scripts/fixtures/numerics_rng.py` (fixture `Fixtures/rng_kat.json`). Everything compares
/// exactly except `normal()`, whose Python side uses the platform's `math.log`: relative
/// tolerance 1e-15.
struct SeededGeneratorFixtureTests {
    struct File: Decodable {
        let generator: Fixture.Generator
        let interleavedOps: [String]
        let longStreamFNV1a64: String
        let streams: [Stream]

        enum CodingKeys: String, CodingKey {
            case generator
            case interleavedOps = "interleaved_ops"
            case longStreamFNV1a64 = "long_stream_fnv1a64"
            case streams
        }
    }

    struct Stream: Decodable {
        let seed: String
        let path: [String]
        let derivationInput: String
        let key: [String]
        let next64: [String]
        let uniformBits: [String]
        let normalBits: [String]
        let intBelow10: [UInt64]
        let intBelowBig: [String]
        let shuffle: [Int]
        let sample: [Int]
        let interleaved: [String]

        enum CodingKeys: String, CodingKey {
            case seed, path, key, next64, interleaved
            case derivationInput = "derivation_input"
            case uniformBits = "uniform_bits"
            case normalBits = "normal_bits"
            case intBelow10 = "int_below_10"
            case intBelowBig = "int_below_2p63_plus_1"
            case shuffle = "shuffle_0_to_9"
            case sample = "sample_5_of_100"
        }

        func generator() -> SeededGenerator {
            SeededGenerator(seed: Fixture.hex64(seed), path: path)
        }
    }

    static let file: File? = try? Fixture.load("rng_kat", as: File.self)

    static func streams() throws -> [Stream] {
        try #require(file, "Fixtures/rng_kat.json did not load").streams
    }

    @Test func fixtureLoadsAndNamesItsVersions() throws {
        let file = try Fixture.load("rng_kat", as: File.self)
        #expect(file.generator.script == "scripts/fixtures/numerics_rng.py")
        #expect(!file.generator.python.isEmpty)
        #expect(file.streams.count >= 3)
    }

    @Test func derivation() throws {
        for s in try Self.streams() {
            let input = SeededGenerator.derivationInput(seed: Fixture.hex64(s.seed), path: s.path)
            #expect(hex(input) == s.derivationInput, "path \(s.path)")
            let key = s.generator().key
            #expect([key[0], key[1]].map { hex32($0) } == s.key, "path \(s.path)")
        }
    }

    @Test func childChainEqualsPath() throws {
        for s in try Self.streams() {
            var g = SeededGenerator(seed: Fixture.hex64(s.seed))
            for c in s.path { g = g.child(c) }
            #expect(g.key == s.generator().key, "path \(s.path)")
        }
    }

    @Test func next64() throws {
        for s in try Self.streams() {
            var g = s.generator()
            #expect(s.next64.map { _ in g.next64() } == s.next64.map { Fixture.hex64($0) },
                    "path \(s.path)")
        }
    }

    @Test func uniformBits() throws {
        for s in try Self.streams() {
            var g = s.generator()
            #expect(s.uniformBits.map { _ in g.uniform().bitPattern }
                        == s.uniformBits.map { Fixture.hex64($0) }, "path \(s.path)")
        }
    }

    @Test func normalsAgreeToOneInTenToTheFifteen() throws {
        for s in try Self.streams() {
            var g = s.generator()
            for (i, text) in s.normalBits.enumerated() {
                let expected = Fixture.double(text)
                let got = g.normal()
                let relative = abs(got - expected) / abs(expected)
                #expect(relative <= 1e-15, "path \(s.path) normal #\(i): \(got) vs \(expected)")
            }
        }
    }

    @Test func intBelow() throws {
        for s in try Self.streams() {
            var g = s.generator()
            #expect(s.intBelow10.map { _ in g.int(below: 10) } == s.intBelow10, "path \(s.path)")
            var h = s.generator()
            let big: UInt64 = (1 << 63) + 1
            #expect(s.intBelowBig.map { _ in h.int(below: big) }
                        == s.intBelowBig.map { Fixture.hex64($0) }, "path \(s.path)")
        }
    }

    @Test func shuffleAndSample() throws {
        for s in try Self.streams() {
            var g = s.generator()
            var a = Array(0..<10)
            g.shuffle(&a)
            #expect(a == s.shuffle, "path \(s.path)")
            var h = s.generator()
            #expect(h.sample(k: 5, of: 100) == s.sample, "path \(s.path)")
        }
    }

    /// One generator, mixed calls: checks word buffering across blocks and the cached normal.
    @Test func interleavedCalls() throws {
        let file = try #require(Self.file)
        for s in file.streams {
            var g = s.generator()
            for (op, expected) in zip(file.interleavedOps, s.interleaved) {
                switch op {
                case "next32":
                    #expect(hex32(g.next32()) == expected, "path \(s.path) \(op)")
                case "next64":
                    #expect(g.next64() == Fixture.hex64(expected), "path \(s.path) \(op)")
                case "uniform":
                    #expect(g.uniform().bitPattern == Fixture.hex64(expected), "path \(s.path) \(op)")
                case "normal":
                    let e = Fixture.double(expected)
                    #expect(abs(g.normal() - e) <= 1e-15 * abs(e), "path \(s.path) \(op)")
                default:
                    let parts = op.split(separator: ":")
                    let n = try #require(parts.count == 2 ? UInt64(parts[1]) : nil, "op \(op)")
                    #expect(g.int(below: n) == Fixture.hex64(expected), "path \(s.path) \(op)")
                }
            }
        }
    }

    @Test func longStreamFingerprint() throws {
        let file = try #require(Self.file)
        var g = SeededGenerator(seed: 42).child("digest")
        var h = FNV1a()
        for _ in 0..<20_000 { h.add(bigEndian: g.next64()) }
        #expect(h.value == Fixture.hex64(file.longStreamFNV1a64))
    }
}

private func hex(_ bytes: [UInt8]) -> String {
    bytes.map { hex2($0) }.joined()
}

private func hex2(_ b: UInt8) -> String {
    let s = String(b, radix: 16)
    return s.count == 1 ? "0" + s : s
}

private func hex32(_ x: UInt32) -> String {
    let s = String(x, radix: 16)
    return String(repeating: "0", count: 8 - s.count) + s
}
