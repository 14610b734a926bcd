// swift-tools-version:6.1
import Foundation
import PackageDescription

// Speed, not results: on x86-64 machines with AVX2 and FMA (Intel Haswell, AMD Excavator and
// later) compile for them, and with AVX-512 (F, BW, DQ, VL) for those too, where the convolution
// kernel then uses 16-lane accumulators (ASSAY_WIDE_VECTORS, the AssayWideKernels module). Numeric kernels write fused
// multiply-adds explicitly where they want them and never rely on the compiler contracting
// `a * b + c`, and every kernel computes each element with the same operations in the same order
// whatever the vector width, so results are the same bits with or without these instructions (a
// baseline build computes the same fused operations in software, slowly).
// ASSAY_TARGET_CPU=baseline builds for plain x86-64, as the determinism check does to prove it;
// ASSAY_TARGET_CPU=haswell stops at AVX2.
let hostCPU = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
let targetCPU = ProcessInfo.processInfo.environment["ASSAY_TARGET_CPU"]
let hasAVX2 = hostCPU.contains(" avx2") && hostCPU.contains(" fma")
let hasAVX512 = hasAVX2 && [" avx512f", " avx512bw", " avx512dq", " avx512vl"].allSatisfy { hostCPU.contains($0) }
let wideVectors = hasAVX512 && targetCPU != "haswell" && targetCPU != "baseline"
let cpuSettings: [SwiftSetting] = targetCPU == "baseline" || !hasAVX2 ? []
    : [.unsafeFlags(["-target-cpu", "haswell"], .when(platforms: [.linux]))]
    + (wideVectors ? [.define("ASSAY_WIDE_VECTORS", .when(platforms: [.linux]))] : [])
// Only the 16-lane convolution kernels are compiled for AVX-512: for the rest (tree walks above
// all) LLVM's AVX-512 code is slower on these machines.
let wideKernelSettings: [SwiftSetting] = wideVectors
    ? [.unsafeFlags(["-target-cpu", "skylake-avx512"], .when(platforms: [.linux]))] : cpuSettings

// Dependencies point one way: C wrappers and Numerics at the bottom, then Store, Pipeline,
// Bundle, and the thin `assay` executable on top. See DESIGN.md, "Modules, one-way".
let package = Package(
    name: "Assay",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "assay", targets: ["assay"]),
        .library(name: "AssayStore", targets: ["AssayStore"]),
        .library(name: "AssayNumerics", targets: ["AssayNumerics"]),
        .library(name: "AssayModels", targets: ["AssayModels"]),
        .library(name: "AssayDetectors", targets: ["AssayDetectors"]),
        .library(name: "AssayExplainers", targets: ["AssayExplainers"]),
        .library(name: "AssayPipeline", targets: ["AssayPipeline"]),
        .library(name: "AssayBundle", targets: ["AssayBundle"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-protobuf", exact: "1.39.0"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", exact: "0.2.0"),
    ],
    targets: [
        // MARK: C libraries (each imported by exactly one Swift module)
        .systemLibrary(
            name: "CLibCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]),
        .systemLibrary(
            name: "CLibArchive",
            pkgConfig: "libarchive",
            providers: [.apt(["libarchive-dev"])]),

        // MARK: Bottom: hashing and numerics
        .target(
            name: "AssayCrypto",
            dependencies: ["CLibCrypto"],
            swiftSettings: cpuSettings),
        .target(
            name: "AssayNumerics",
            dependencies: ["AssayCrypto"],
            swiftSettings: cpuSettings),

        // MARK: Store: artifacts, names, lineage, runs, canonical JSON
        .target(
            name: "AssayStore",
            dependencies: [
                "AssayCrypto",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: cpuSettings),

        // MARK: Compute: 16-lane convolution kernels (AVX-512 where the host has it)
        .target(
            name: "AssayWideKernels",
            swiftSettings: wideKernelSettings),

        // MARK: Compute: models (ONNX runtime; the only SwiftProtobuf user)
        .target(
            name: "AssayModels",
            dependencies: [
                "AssayNumerics",
                "AssayWideKernels",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: cpuSettings),

        // MARK: Compute: detectors (no I/O; tensors and parameters in, values out)
        .target(
            name: "AssayDetectors",
            dependencies: ["AssayNumerics"],
            swiftSettings: cpuSettings),

        // MARK: Compute: explainers (anchors, Kernel SHAP) against any predictor, seeded
        .target(
            name: "AssayExplainers",
            dependencies: ["AssayNumerics"],
            swiftSettings: cpuSettings),

        // MARK: Pipeline: operations recorded as runs (the only Yams user: pipeline specs)
        .target(
            name: "AssayPipeline",
            dependencies: [
                "AssayStore", "AssayNumerics", "AssayModels", "AssayDetectors", "AssayExplainers",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            swiftSettings: cpuSettings),

        // MARK: Bundle: archives (libarchive)
        .target(
            name: "AssayBundle",
            dependencies: ["AssayPipeline", "AssayCrypto", "CLibArchive"],
            swiftSettings: cpuSettings),

        // MARK: Executable
        .executableTarget(
            name: "assay",
            dependencies: [
                "AssayStore", "AssayCrypto", "AssayNumerics", "AssayModels", "AssayDetectors", "AssayPipeline", "AssayBundle",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: cpuSettings),

        // MARK: Tests
        .target(
            name: "_AssayTestSupport",
            path: "Tests/_AssayTestSupport"),
        .testTarget(
            name: "AssayCryptoTests",
            dependencies: ["AssayCrypto", "_AssayTestSupport"]),
        .testTarget(
            name: "AssayNumericsTests",
            dependencies: ["AssayNumerics", "_AssayTestSupport"],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "AssayStoreTests",
            dependencies: ["AssayStore", "_AssayTestSupport"]),
        .testTarget(
            name: "AssayModelsTests",
            dependencies: ["AssayModels", "_AssayTestSupport"],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "AssayDetectorsTests",
            dependencies: ["AssayDetectors", "_AssayTestSupport"],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "AssayExplainersTests",
            dependencies: ["AssayExplainers", "_AssayTestSupport"],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "AssayPipelineTests",
            dependencies: ["AssayPipeline", "_AssayTestSupport"],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "AssayBundleTests",
            dependencies: ["AssayBundle", "AssayCrypto", "_AssayTestSupport"]),
        .testTarget(
            name: "AssayCLITests",
            dependencies: ["assay", "_AssayTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
