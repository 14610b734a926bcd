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
        return [
            "version": JSONValue(version),
            "model": model,
            "detectors": .array(detectors.map { step in
                [
                    "name": .string(step.name),
                    "detector": .string(step.detector),
                    "input": .string(step.input.text),
                    "window": step.window.map(Self.json) ?? .null,
                ]
            }),
            "window": Self.json(window),
            "seed": JSONValue(seed),
        ]
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
