import AssayStore

/// A run's figures in the Prometheus text exposition format (version 0.0.4), for a scrape
/// endpoint or node_exporter's textfile collector.
///
/// Names follow Prometheus' conventions: an `assay_` prefix, base units in the name
/// (`_seconds`, `_bytes`, `_ratio`), `_total` for counters, and labels for the run, the model,
/// the pipeline component and the class. Gauges describe the **last** window of each component,
/// counters sum over **all** its windows (with sliding windows an event counts once per window
/// that holds it). No sample carries a timestamp, as the textfile collector requires.
public struct PrometheusExposition {
    /// One metric family.
    struct Family {
        var name: String
        var type: String
        var help: String
        var samples: [(suffix: String, labels: [(String, String)], value: Double)] = []
    }

    private var families: [Family] = []
    private var index: [String: Int] = [:]
    /// Labels on every sample.
    let base: [(String, String)]

    init(base: [(String, String)]) { self.base = base }

    mutating func add(_ name: String, _ type: String, _ help: String, _ value: Double?, labels: [(String, String)] = [], suffix: String = "") {
        guard let value else { return }
        let i: Int
        if let existing = index[name] { i = existing } else {
            families.append(Family(name: name, type: type, help: help))
            i = families.count - 1
            index[name] = i
        }
        families[i].samples.append((suffix, base + labels, value))
    }

    /// Every sample: the family name with its suffix, the labels and the value.
    public var samples: [(name: String, labels: [(String, String)], value: Double)] {
        families.flatMap { f in f.samples.map { (f.name + $0.suffix, $0.labels, $0.value) } }
    }

    /// The exposition text.
    public var text: String {
        var out = ""
        for f in families {
            out += "# HELP \(f.name) \(PrometheusExposition.escapeHelp(f.help))\n"
            out += "# TYPE \(f.name) \(f.type)\n"
            for s in f.samples {
                out += f.name + s.suffix
                if !s.labels.isEmpty {
                    out += "{" + s.labels.map { "\($0.0)=\"\(PrometheusExposition.escapeLabel($0.1))\"" }.joined(separator: ",") + "}"
                }
                out += " " + PrometheusExposition.format(s.value) + "\n"
            }
        }
        return out
    }

    static func escapeLabel(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }

    static func escapeHelp(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }

    public static func format(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        if v == v.rounded(), Swift.abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)"
    }

    /// The exposition of run `run`: its identity and measurements, and for a replay the figures
    /// of every detector and metric (read from its window documents) and its alerts.
    public static func of(run: RunInfo, in workspace: Workspace) throws -> PrometheusExposition {
        let model = run.inputs.first { $0.role == "model" }?.id
        var base: [(String, String)] = [("run", run.id.rawValue)]
        if let model { base.append(("model", model.short)) }
        var p = PrometheusExposition(base: base)
        p.add("assay_run_info", "gauge", "The run, its operation and status (value 1).", 1,
              labels: [("operation", run.operation), ("operation_version", String(run.operationVersion)), ("status", run.status.rawValue)])
        if let m = try workspace.measurements(run: run.id) {
            p.add("assay_run_duration_seconds", "gauge", "Wall time of the run.", m["wall_seconds"]?.doubleValue)
            p.add("assay_run_cpu_seconds_total", "counter", "CPU time of the run.", m["cpu_user_seconds"]?.doubleValue, labels: [("mode", "user")])
            p.add("assay_run_cpu_seconds_total", "counter", "CPU time of the run.", m["cpu_system_seconds"]?.doubleValue, labels: [("mode", "system")])
            p.add("assay_run_peak_memory_bytes", "gauge", "Peak resident memory of the process that ran the run.", m["peak_rss_bytes"]?.doubleValue)
            p.add("assay_run_events_total", "counter", "Events (requests) the run handled.", m["events"]?.doubleValue)
            p.add("assay_run_events_per_second", "gauge", "Events per second of wall time.", m["events_per_second"]?.doubleValue)
            if let calls = m["model_calls"], let count = calls["count"]?.doubleValue, count > 0 {
                let name = "assay_model_call_duration_seconds"
                let help = "Latency of model calls (a replay calls the model on chunks of up to 256 events)."
                for b in calls["buckets"]?.arrayValue ?? [] {
                    guard let le = b["le"]?.doubleValue else { continue }
                    p.add(name, "histogram", help, b["count"]?.doubleValue, labels: [("le", format(le))], suffix: "_bucket")
                }
                p.add(name, "histogram", help, count, labels: [("le", "+Inf")], suffix: "_bucket")
                p.add(name, "histogram", help, calls["sum_seconds"]?.doubleValue, suffix: "_sum")
                p.add(name, "histogram", help, count, suffix: "_count")
                p.add("assay_model_call_errors_total", "counter", "Model calls that failed.", calls["errors"]?.doubleValue)
            }
        }
        guard run.operation == ReplayOperations.replayOperation.name,
              let summaryID = run.outputs.first(where: { $0.role == "summary" })?.id,
              let summary = try? JSONValue.parse(try workspace.blobs.bytes(of: summaryID)) else { return p }
        p.add("assay_replay_events_total", "counter", "Events replayed.", summary["events"]?.doubleValue)
        let alerts = try workspace.alerts(run: run.id)
        if let truth = summary["truth"], !truth.isNull {
            p.add("assay_truth_entries_total", "counter", "Truth entries read.", truth["entries"]?.doubleValue)
            p.add("assay_truth_matched_total", "counter", "Truth entries whose request id appears in the capture.", truth["matched"]?.doubleValue)
            p.add("assay_truth_unmatched_total", "counter", "Truth entries whose request id never appears in the capture (kept and reported).", truth["unmatched"]?.doubleValue)
        }
        for series in summary["series"]?.arrayValue ?? [] {
            let windowIDs = (series["windows"]?.arrayValue ?? []).compactMap { $0.stringValue.flatMap(ArtifactID.init(validating:)) }
            let windows = try windowIDs.map { try JSONValue.parse(try workspace.blobs.bytes(of: $0)) }
            for name in (series["components"]?.arrayValue ?? []).compactMap(\.stringValue) + metricNames(windows) {
                let docs = windows.compactMap { $0["components"]?[name] }
                guard let last = docs.last else { continue }
                let c = [("component", name)]
                p.add("assay_windows_total", "counter", "Windows a component ran on.", Double(docs.count), labels: c)
                p.add("assay_alerts_total", "counter", "Alerts a component raised.", Double(alerts.filter { $0.component == name }.count), labels: c)
                p.add("assay_window_alert", "gauge", "1 when the component's last window raised an alert.", last["alert"]?.boolValue.map { $0 ? 1 : 0 }, labels: c)
                addComponent(&p, name: name, last: last, all: docs)
            }
        }
        return p
    }

    /// Metric components appear in window documents (not in the summary's component lists).
    static func metricNames(_ windows: [JSONValue]) -> [String] {
        guard let first = windows.first?["components"]?.objectValue else { return [] }
        return first.filter { $0.value["type"] != nil }.map(\.key).sorted()
    }

    static func addComponent(_ p: inout PrometheusExposition, name: String, last: JSONValue, all: [JSONValue]) {
        let c = [("component", name)]
        let data = last["data"] ?? .null
        if let type = last["type"]?.stringValue {
            // A metrics server.
            p.add("assay_truth_joined_events", "gauge", "Events of the last window with truth.", last["with_truth"]?.doubleValue, labels: c)
            p.add("assay_truth_unknown_labels_total", "counter", "Truth labels outside the class set, over all windows.",
                  all.reduce(0) { $0 + ($1["unknown_labels"]?["count"]?.doubleValue ?? 0) }, labels: c)
            switch type {
            case "regression":
                p.add("assay_regression_rmse", "gauge", "Root mean squared error on the last window.", data["rmse"]?.doubleValue, labels: c)
                p.add("assay_regression_mae", "gauge", "Mean absolute error on the last window.", data["mae"]?.doubleValue, labels: c)
                p.add("assay_regression_r2", "gauge", "Coefficient of determination on the last window.", data["r2"]?.doubleValue, labels: c)
            case "kl":
                p.add("assay_label_kl_divergence_nats", "gauge", "KL divergence of the last window's predicted labels from the reference distribution.",
                      data["kl"]?.doubleValue, labels: c)
            case "binary":
                p.add("assay_classification_accuracy_ratio", "gauge", "Accuracy on the last window.", data["accuracy"]?.doubleValue, labels: c)
                binaryFamilies(&p, labels: c, last: data, all: all.map { $0["data"] ?? .null })
            default:
                p.add("assay_classification_accuracy_ratio", "gauge", "Accuracy on the last window.", data["accuracy"]?.doubleValue, labels: c)
                p.add("assay_classification_macro_f1_ratio", "gauge", "Macro-averaged F1 on the last window.", data["macro_f1"]?.doubleValue, labels: c)
                for (k, cls) in (data["per_class"]?.arrayValue ?? []).enumerated() {
                    let label = cls["class"]?.integerDigits ?? String(k)
                    binaryFamilies(&p, labels: c + [("class", label)], last: cls,
                                   all: all.map { $0["data"]?["per_class"]?.arrayValue.flatMap { k < $0.count ? $0[k] : nil } ?? .null })
                }
            }
            return
        }
        if let rate = last["outlier_rate"]?.doubleValue {
            p.add("assay_outlier_rate_ratio", "gauge", "Fraction of the last window's instances flagged as outliers.", rate, labels: c)
            p.add("assay_outlier_threshold", "gauge", "The outlier detector's threshold.", last["threshold"]?.doubleValue, labels: c)
            p.add("assay_outlier_score_max", "gauge", "Largest instance score of the last window.", last["max_score"]?.doubleValue, labels: c)
            p.add("assay_outliers_total", "counter", "Instances flagged as outliers, over all windows.",
                  all.reduce(0) { $0 + ($1["outliers"]?.doubleValue ?? 0) }, labels: c)
            return
        }
        if let isDrift = data["is_drift"] {
            let flagged = isDrift.arrayValue.map { $0.contains { ($0.intValue ?? 0) != 0 } } ?? ((isDrift.intValue ?? 0) != 0)
            p.add("assay_drift_detected", "gauge", "1 when the last window drifted.", flagged ? 1 : 0, labels: c)
            let pValues = data["p_val"]?.arrayValue?.compactMap(\.doubleValue) ?? data["p_val"]?.doubleValue.map { [$0] } ?? []
            p.add("assay_drift_p_value", "gauge", "Smallest p-value of the last window (over features for feature-wise tests).", pValues.min(), labels: c)
            let distances = data["distance"]?.arrayValue?.compactMap(\.doubleValue) ?? data["distance"]?.doubleValue.map { [$0] } ?? []
            p.add("assay_drift_distance", "gauge", "Largest test statistic of the last window.", distances.max(), labels: c)
        }
    }

    static func binaryFamilies(_ p: inout PrometheusExposition, labels: [(String, String)], last: JSONValue, all: [JSONValue]) {
        for (key, name) in [("tp", "true_positives"), ("tn", "true_negatives"), ("fp", "false_positives"), ("fn", "false_negatives")] {
            p.add("assay_classification_\(name)_total", "counter", "\(name.replacingOccurrences(of: "_", with: " ").capitalized) over all windows.",
                  all.reduce(0) { $0 + ($1[key]?.doubleValue ?? 0) }, labels: labels)
        }
        for key in ["precision", "recall", "specificity", "f1"] {
            p.add("assay_classification_\(key)_ratio", "gauge", "\(key.capitalized) on the last window.", last[key]?.doubleValue, labels: labels)
        }
    }
}
