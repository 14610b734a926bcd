import AssayStore

extension PipelineSpec {
    /// The spec as canonical JSON, for a replay run's recipe: every key present, durations in
    /// milliseconds, detectors in the order written.
    ///
    /// ```json
    /// {"detectors":[{"detector":"detector:ks","input":"inputs","name":"drift","window":null}],
    ///  "model":{"recorded":true},"seed":0,"version":1,
    ///  "window":{"by":"count","mode":"tumbling","size":1000,"step":1000}}
    /// ```
    /// `model` is `{"recorded":true}`, `{"artifact":"…"}` or `{"url":"…"}`; a window by time has
    /// `"by":"time"` and `size`, `step` in milliseconds.
    public var canonicalJSON: JSONValue {
        let model: JSONValue
        switch self.model {
        case .recorded: model = ["recorded": true]
        case .artifact(let reference): model = ["artifact": .string(reference)]
        case .remote(let url): model = ["url": .string(url)]
        }
        var out: [String: JSONValue] = [
            "version": JSONValue(version),
            "model": model,
            "detectors": .array(detectors.map { step in
                var d: [String: JSONValue] = [
                    "name": .string(step.name),
                    "detector": .string(step.detector),
                    "input": .string(step.input.text),
                    "window": step.window.map(Self.json) ?? .null,
                ]
                // Present only when given, so specs without it keep the digests they always had.
                if let rate = step.maxOutlierRate { d["max_outlier_rate"] = .double(rate) }
                return .object(d)
            }),
            "window": Self.json(window),
            "seed": JSONValue(seed),
        ]
        if !metrics.isEmpty {
            out["metrics"] = .array(metrics.map { m in
                [
                    "name": .string(m.name),
                    "type": .string(m.kind.rawValue),
                    "positive": m.positive.map { JSONValue($0) } ?? .null,
                    "reference": m.reference.map { .array($0.map(JSONValue.double)) } ?? .null,
                    "alert_below": .object(m.alertBelow.mapValues(JSONValue.double)),
                    "alert_above": .object(m.alertAbove.mapValues(JSONValue.double)),
                    "window": m.window.map(Self.json) ?? .null,
                ]
            })
        }
        return .object(out)
    }

    static func json(_ window: WindowSpec) -> JSONValue {
        func value(_ e: WindowSpec.Extent) -> JSONValue {
            switch e {
            case .count(let n): return JSONValue(n)
            case .milliseconds(let ms): return JSONValue(ms)
            }
        }
        return [
            "by": window.isByTime ? "time" : "count",
            "mode": .string(window.mode.rawValue),
            "size": value(window.size),
            "step": value(window.step),
        ]
    }
}

extension PipelineSpec {
    /// Reads back ``canonicalJSON`` (as a replay run records it); `place` names it in errors.
    public init(canonical json: JSONValue, place: String) throws(PipelineError) {
        func bad(_ what: String) -> PipelineError {
            .invalidInput(place: place, problem: "not a canonical pipeline spec (\(what))", fix: "The record was altered or made by another Assay version.")
        }
        func window(_ v: JSONValue?) throws(PipelineError) -> WindowSpec {
            guard let o = v?.objectValue, let by = o["by"]?.stringValue, let size = o["size"]?.integerDigits.flatMap({ Int64($0) }),
                  let step = o["step"]?.integerDigits.flatMap({ Int64($0) }), size > 0, step > 0, step <= size else { throw bad("window") }
            let extent: (Int64) -> WindowSpec.Extent = by == "time" ? { .milliseconds($0) } : { .count(Int($0)) }
            guard by == "time" || by == "count" else { throw bad("window.by") }
            return step == size ? WindowSpec(tumbling: extent(size)) : WindowSpec(sliding: extent(size), step: extent(step))
        }
        guard let o = json.objectValue, let version = o["version"]?.intValue, version == PipelineSpec.currentVersion else { throw bad("version") }
        let model: ModelSource
        if o["model"]?["recorded"]?.boolValue == true { model = .recorded }
        else if let a = o["model"]?["artifact"]?.stringValue { model = .artifact(a) }
        else if let u = o["model"]?["url"]?.stringValue { model = .remote(u) }
        else { throw bad("model") }
        guard let seedText = o["seed"]?.integerDigits, let seed = UInt64(seedText) else { throw bad("seed") }
        guard let list = o["detectors"]?.arrayValue else { throw bad("detectors") }
        var steps: [DetectorStep] = []
        for d in list {
            guard let name = d["name"]?.stringValue, let detector = d["detector"]?.stringValue, let inputText = d["input"]?.stringValue else { throw bad("detector") }
            let input: DetectorStep.Input
            switch inputText {
            case "inputs": input = .inputs
            case "outputs": input = .outputs
            default:
                guard inputText.hasSuffix(".output") else { throw bad("detector input") }
                input = .component(String(inputText.dropLast(".output".count)))
            }
            let w: WindowSpec? = (d["window"].map { $0.isNull } ?? true) ? nil : try window(d["window"])
            var rate: Double?
            if let r = d["max_outlier_rate"] { guard let v = r.doubleValue else { throw bad("max_outlier_rate") }; rate = v }
            steps.append(DetectorStep(name: name, detector: detector, input: input, window: w, maxOutlierRate: rate))
        }
        var metrics: [MetricStep] = []
        for m in o["metrics"]?.arrayValue ?? [] {
            guard let name = m["name"]?.stringValue, let typeText = m["type"]?.stringValue, let kind = MetricStep.Kind(rawValue: typeText) else { throw bad("metric") }
            func bounds(_ key: String) throws(PipelineError) -> [String: Double] {
                var out: [String: Double] = [:]
                for (k, v) in m[key]?.objectValue ?? [:] { guard let x = v.doubleValue else { throw bad("metric bound") }; out[k] = x }
                return out
            }
            let w: WindowSpec? = (m["window"].map { $0.isNull } ?? true) ? nil : try window(m["window"])
            metrics.append(MetricStep(name: name, kind: kind, positive: m["positive"]?.intValue,
                                      reference: m["reference"]?.arrayValue?.compactMap(\.doubleValue),
                                      alertBelow: try bounds("alert_below"), alertAbove: try bounds("alert_above"), window: w))
        }
        self.init(version: version, model: model, detectors: steps, metrics: metrics, window: try window(o["window"]), seed: seed)
    }
}
