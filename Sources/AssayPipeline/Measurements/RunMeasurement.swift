import AssayStore
import Foundation
import Histogram

/// How a run went: wall and CPU time, the process's peak memory, and the latency of every model
/// call (an HdrHistogram, three significant digits), with the events handled and the errors.
///
/// Measurements are recorded beside a run (``RunRecorder/setMeasurements(_:)``), never inside
/// its recipe or outputs: timing a run never changes an id. In a replay a model call is one
/// chunk of up to 256 events (one HTTP request for a remote model); `assay predict` makes one
/// call per batch.
public struct RunMeasurement: Sendable {
    /// Latencies in microseconds, from 1 µs to one hour.
    private var latencies = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
    private var latencySum: Double = 0
    private let started = Date()
    private let cpuStart = RunMeasurement.cpuSeconds()
    /// Events (requests) handled.
    public var events = 0
    /// Model calls that failed.
    public var errors = 0

    public init() {}

    /// Upper bounds (seconds) of the latency buckets reported, Prometheus style (`le`).
    public static let bucketBounds: [Double] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    /// Records one model call of `seconds`.
    public mutating func recordCall(seconds: Double) {
        let micros = UInt64(max(1, min(3_600_000_000, (seconds * 1e6).rounded())))
        _ = latencies.record(micros)
        latencySum += seconds
    }

    /// Times `body` as one model call (a thrown error counts in ``errors``).
    public mutating func timeCall<T>(_ body: () throws -> T) rethrows -> T {
        let t0 = DispatchTime.now().uptimeNanoseconds
        do {
            let value = try body()
            recordCall(seconds: Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
            return value
        } catch {
            errors += 1
            throw error
        }
    }

    /// User and system CPU seconds of this process so far.
    static func cpuSeconds() -> (user: Double, system: Double) {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return (s(usage.ru_utime), s(usage.ru_stime))
    }

    /// The process's peak resident memory in bytes (Linux reports kibibytes).
    static func peakResidentBytes() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Int(usage.ru_maxrss) * 1024
    }

    /// The measurement document:
    /// `{"format":"assay.measurements.v1","wall_seconds","cpu_user_seconds","cpu_system_seconds",
    /// "peak_rss_bytes","events","events_per_second","model_calls":{"count","errors","sum_seconds",
    /// "min","p50","p90","p99","max" (seconds),"buckets":[{"le","count"}] (cumulative)}}`.
    public func document() -> JSONValue {
        let wall = Date().timeIntervalSince(started)
        let cpu = RunMeasurement.cpuSeconds()
        let count = Int(latencies.totalCount)
        func seconds(_ micros: UInt64) -> JSONValue { JSONValue(Double(micros) / 1e6) }
        var calls: [String: JSONValue] = ["count": JSONValue(count), "errors": JSONValue(errors), "sum_seconds": JSONValue(latencySum)]
        if count > 0 {
            calls["min"] = seconds(latencies.min)
            calls["p50"] = seconds(latencies.valueAtPercentile(50))
            calls["p90"] = seconds(latencies.valueAtPercentile(90))
            calls["p99"] = seconds(latencies.valueAtPercentile(99))
            calls["max"] = seconds(latencies.max)
        }
        calls["buckets"] = .array(RunMeasurement.bucketBounds.map { le in
            let upper = UInt64((le * 1e6).rounded())
            return .object(["le": JSONValue(le), "count": JSONValue(count == 0 ? 0 : Int(latencies.count(within: 0...upper)))])
        })
        return .object([
            "format": .string("assay.measurements.v1"),
            "wall_seconds": JSONValue(wall),
            "cpu_user_seconds": JSONValue(cpu.user - cpuStart.user),
            "cpu_system_seconds": JSONValue(cpu.system - cpuStart.system),
            "peak_rss_bytes": JSONValue(RunMeasurement.peakResidentBytes()),
            "events": JSONValue(events),
            "events_per_second": JSONValue(wall > 0 ? Double(events) / wall : 0),
            "model_calls": .object(calls),
        ])
    }
}
