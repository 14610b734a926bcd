// swift-tools-version:6.1
// Benchmarks live in their own package so the main build stays light. Build release:
//   swift build -c release --package-path benchmarks
import PackageDescription

let package = Package(
    name: "AssayBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "Assay", path: "..")],
    targets: [
        .executableTarget(
            name: "drift-bench",
            dependencies: [
                .product(name: "AssayDetectors", package: "Assay"),
                .product(name: "AssayPipeline", package: "Assay"),
                .product(name: "AssayNumerics", package: "Assay"),
            ]),
        .executableTarget(
            name: "outlier-bench",
            dependencies: [
                .product(name: "AssayDetectors", package: "Assay"),
                .product(name: "AssayPipeline", package: "Assay"),
                .product(name: "AssayNumerics", package: "Assay"),
            ]),
        .executableTarget(
            name: "explainer-bench",
            dependencies: [
                .product(name: "AssayExplainers", package: "Assay"),
                .product(name: "AssayPipeline", package: "Assay"),
                .product(name: "AssayNumerics", package: "Assay"),
            ]),
        .executableTarget(
            name: "model-bench",
            dependencies: [
                .product(name: "AssayModels", package: "Assay"),
                .product(name: "AssayNumerics", package: "Assay"),
            ]),
    ],
    swiftLanguageModes: [.v6]
)
