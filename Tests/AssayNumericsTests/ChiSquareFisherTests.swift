import Foundation
import Testing

@testable import AssayNumerics

/// SciPy parity and invariants for ``ChiSquareContingency`` and ``FisherExact``
/// (fixtures `special_contingency.json`, `special_fisher.json`, SciPy 1.17.1).
///
/// Tolerances: chi2_contingency statistic and expected counts to relative 1e-15, p-value to
/// relative 2e-13 (``ChiSquare/sf(_:degreesOfFreedom:)``'s bound; in practice they agree to a few
/// ulp). fisher_exact: odds ratio exactly; p-value to relative 1e-13 (bit for bit for every table
/// with total ≤ 104723, where Boost's exact algorithms are reproduced; about 1e-15 above).
struct ChiSquareFisherTests {
    // MARK: chi2_contingency

    static func table(_ value: Any?) -> [[Double]] {
        ((value as? [[Any]]) ?? []).map { $0.map { SpecialFixture.double($0) } }
    }

    @Test func contingencyMatchesSciPy() throws {
        let fixture = try SpecialFixture.load("special_contingency")
        var worstP = 0.0
        var exactStatistics = 0
        let cases = SpecialFixture.objects(fixture, "cases")
        #expect(cases.count > 60)
        for item in cases {
            let observed = Self.table(item["observed"])
            let correction = (item["correction"] as? Bool) ?? true
            let expectedStatistic = SpecialFixture.double(item["statistic"])
            let expectedP = SpecialFixture.double(item["pvalue"])
            let expectedDof = SpecialFixture.int(item["dof"])
            let expectedCounts = Self.table(item["expected"])
            let result = try ChiSquareContingency.test(observed, correction: correction)
            let label = "chi2_contingency(\(observed), correction=\(correction))"
            #expect(result.degreesOfFreedom == expectedDof, "\(label): dof")
            #expect(SpecialFixture.isClose(result.statistic, expectedStatistic, relative: 1e-15), "\(label): statistic \(result.statistic) vs SciPy \(expectedStatistic)")
            #expect(SpecialFixture.isClose(result.pValue, expectedP, relative: 2e-13), "\(label): p \(result.pValue) vs SciPy \(expectedP)")
            #expect(result.expected.count == expectedCounts.count)
            for (row, expectedRow) in zip(result.expected, expectedCounts) {
                for (value, expectedValue) in zip(row, expectedRow) {
                    #expect(SpecialFixture.isClose(value, expectedValue, relative: 1e-15), "\(label): expected count")
                }
            }
            if result.statistic == expectedStatistic { exactStatistics += 1 }
            worstP = max(worstP, SpecialFixture.relativeDifference(result.pValue, expectedP))
        }
        print("chi2_contingency: \(exactStatistics)/\(cases.count) statistics bit for bit; worst p relative difference \(worstP)")
    }

    @Test func contingencySpotValue() throws {
        let result = try ChiSquareContingency.test([[30, 50, 20], [40, 35, 25]])
        #expect(result.statistic == 4.631185807656395)
        #expect(SpecialFixture.isClose(result.pValue, 0.09870764250999253, relative: 1e-15))
        #expect(result.degreesOfFreedom == 2)
    }

    @Test func contingencyZeroExpectedNamesTheCell() throws {
        let fixture = try SpecialFixture.load("special_contingency")
        let errors = SpecialFixture.objects(fixture, "errors")
        #expect(errors.count == 3)
        for item in errors {
            let observed = Self.table(item["observed"])
            let position = ((item["zero_at"] as? [Any]) ?? []).map { SpecialFixture.int($0) }
            #expect(throws: NumericsError.self) { try ChiSquareContingency.test(observed) }
            do {
                _ = try ChiSquareContingency.test(observed)
            } catch {
                guard case .domain(let message) = error else {
                    Issue.record("expected a domain error, got \(error)")
                    continue
                }
                #expect(message.hasPrefix("expected[\(position[0])][\(position[1])] = 0"), "\(message)")
            }
        }
    }

    @Test func contingencyRejectsBadTables() {
        #expect(throws: NumericsError.self) { try ChiSquareContingency.test([]) }
        #expect(throws: NumericsError.self) { try ChiSquareContingency.test([[]]) }
        #expect(throws: NumericsError.self) { try ChiSquareContingency.test([[1, 2], [3]]) }
        #expect(throws: NumericsError.self) { try ChiSquareContingency.test([[1, -2], [3, 4]]) }
        #expect(throws: NumericsError.nonFinite(where: "observed[1][0]")) {
            try ChiSquareContingency.test([[1, 2], [.nan, 4]])
        }
        // SciPy returns NaN for an all-zero table (0/0 expected counts); Assay rejects it.
        #expect(throws: NumericsError.self) { try ChiSquareContingency.test([[0, 0], [0, 0]]) }
    }

    @Test func contingencyInvariants() throws {
        var generator = SeededGenerator(seed: 77)
        for trial in 0..<200 {
            let rows = generator.int(in: 1...5)
            let columns = generator.int(in: 1...6)
            let table = (0..<rows).map { _ in (0..<columns).map { _ in Double(generator.int(in: 1...40)) } }
            for correction in [true, false] {
                let result = try ChiSquareContingency.test(table, correction: correction)
                #expect(result.pValue >= 0 && result.pValue <= 1, "trial \(trial): \(table)")
                #expect(result.statistic >= 0)
                #expect(result.degreesOfFreedom == (rows - 1) * (columns - 1))
                // Brute force: Σ (O − E)²/E with E from the margins (no correction unless dof = 1).
                if !(correction && result.degreesOfFreedom == 1) && result.degreesOfFreedom > 0 {
                    let total = table.joined().reduce(0, +)
                    var statistic = 0.0
                    for i in 0..<rows {
                        for j in 0..<columns {
                            let e = table[i].reduce(0, +) * table.map { $0[j] }.reduce(0, +) / total
                            statistic += (table[i][j] - e) * (table[i][j] - e) / e
                        }
                    }
                    #expect(SpecialFixture.isClose(result.statistic, statistic, relative: 1e-12, absolute: 1e-12), "trial \(trial)")
                }
            }
        }
    }

    @Test func contingencyResultCodableUsesSciPyKeys() throws {
        let result = try ChiSquareContingency.test([[10, 20], [30, 40]])
        let data = try JSONEncoder().encode(result)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"pvalue\"") && text.contains("\"dof\"") && text.contains("\"expected_freq\""))
        #expect(try JSONDecoder().decode(ContingencyResult.self, from: data) == result)
    }

    // MARK: fisher_exact

    @Test func fisherMatchesSciPy() throws {
        let fixture = try SpecialFixture.load("special_fisher")
        let cases = SpecialFixture.objects(fixture, "cases")
        #expect(cases.count > 150)
        var bitForBit = 0
        var worst = 0.0
        for item in cases {
            let table = ((item["table"] as? [[Any]]) ?? []).map { $0.map { SpecialFixture.int($0) } }
            guard let alternative = FisherAlternative(rawValue: (item["alternative"] as? String) ?? "")
            else {
                Issue.record("bad alternative in fixture")
                continue
            }
            let expectedOdds = SpecialFixture.double(item["oddsratio"])
            let expectedP = SpecialFixture.double(item["pvalue"])
            let result = try FisherExact.test(table, alternative: alternative)
            let label = "fisher_exact(\(table), \(alternative.rawValue))"
            #expect(SpecialFixture.isClose(result.oddsRatio, expectedOdds, relative: 0), "\(label): odds \(result.oddsRatio) vs \(expectedOdds)")
            #expect(SpecialFixture.isClose(result.pValue, expectedP, relative: 1e-13), "\(label): p \(result.pValue) vs SciPy \(expectedP)")
            let total = table.joined().reduce(0, +)
            if total <= 104_723 {
                #expect(result.pValue == expectedP, "\(label): not bit for bit")
            }
            if result.pValue == expectedP { bitForBit += 1 }
            worst = max(worst, SpecialFixture.relativeDifference(result.pValue, expectedP))
        }
        print("fisher_exact: \(bitForBit)/\(cases.count) p-values bit for bit; worst relative difference \(worst)")
    }

    @Test func fisherSpotValue() throws {
        let result = try FisherExact.test([[12, 30], [88, 70]], alternative: .greater)
        #expect(result.oddsRatio == 0.3181818181818182)
        #expect(result.pValue == 0.9995853829415944)
    }

    /// The two-sided p-value by brute force: the sum of the probabilities of all tables with the
    /// same margins that are no more likely than the observed one (SciPy's 1 + 1e-14 slack).
    @Test func fisherTwoSidedMatchesBruteForce() throws {
        var generator = SeededGenerator(seed: 4242)
        for trial in 0..<300 {
            let table = (0..<2).map { _ in (0..<2).map { _ in generator.int(in: 0...25) } }
            let result = try FisherExact.test(table, alternative: .twoSided)
            let less = try FisherExact.test(table, alternative: .less).pValue
            let greater = try FisherExact.test(table, alternative: .greater).pValue
            #expect(result.pValue >= 0 && result.pValue <= 1, "trial \(trial): \(table)")
            #expect(less >= 0 && less <= 1 && greater >= 0 && greater <= 1)
            let n1 = table[0][0] + table[0][1]
            let n = table[0][0] + table[1][0]
            let total = n1 + table[1][0] + table[1][1]
            if n1 == 0 || n == 0 || n1 == total || n == total {
                #expect(result.pValue == 1 && result.oddsRatio.isNaN)
                continue
            }
            #expect(less + greater >= 1 - 1e-12, "trial \(trial): both tails include the observed table")
            guard let support = Hypergeometric.support(population: total, successes: n1, draws: n)
            else { continue }
            let observed = Hypergeometric.pmf(table[0][0], population: total, successes: n1, draws: n)
            var brute = 0.0
            var lessBrute = 0.0
            for k in support {
                let p = Hypergeometric.pmf(k, population: total, successes: n1, draws: n)
                if p <= observed * (1 + 1e-14) { brute += p }
                if k <= table[0][0] { lessBrute += p }
            }
            #expect(SpecialFixture.isClose(result.pValue, min(brute, 1), relative: 1e-12, absolute: 1e-15), "trial \(trial): \(table)")
            #expect(SpecialFixture.isClose(less, min(lessBrute, 1), relative: 1e-12, absolute: 1e-15), "trial \(trial): \(table)")
        }
    }

    @Test func fisherRejectsBadTables() {
        #expect(throws: NumericsError.self) { try FisherExact.test([[1, 2, 3], [4, 5, 6]]) }
        #expect(throws: NumericsError.self) { try FisherExact.test([[1, 2]]) }
        #expect(throws: NumericsError.self) { try FisherExact.test([[1, -2], [3, 4]]) }
        #expect(throws: NumericsError.self) { try FisherExact.test([[Int(Int32.max), 1], [1, 1]]) }
    }

    @Test func fisherOddsRatioEdgeCases() throws {
        #expect(try FisherExact.test([[3, 0], [2, 5]]).oddsRatio == .infinity)
        #expect(try FisherExact.test([[0, 3], [2, 5]]).oddsRatio == 0)
        let empty = try FisherExact.test([[0, 0], [2, 5]])
        #expect(empty.oddsRatio.isNaN && empty.pValue == 1)
        #expect(empty == FisherExactResult(oddsRatio: .nan, pValue: 1))
    }

    @Test func fisherAlternativeRawValuesAreSciPys() {
        #expect(FisherAlternative.allCases.map(\.rawValue) == ["two-sided", "less", "greater"])
    }
}
