// swift-tools-version: 6.1
import PackageDescription

// Shared by every target: Swift 6 mode plus the upcoming features the anchors use, so that
// `any` is explicit, imports are only as visible as they must be, and C types stay internal.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Visage",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "Visage", targets: ["Visage"]),
        .library(name: "VisageEvaluation", targets: ["VisageEvaluation"]),
        .library(name: "VisageGallery", targets: ["VisageGallery"]),
        .library(name: "VisageAsk", targets: ["VisageAsk"]),
        .library(name: "VisageDataset", targets: ["VisageDataset"]),
        .library(name: "VisageServer", targets: ["VisageServer"]),
        .library(name: "VisageVideo", targets: ["VisageVideo"]),
        .library(name: "VisageHeads", targets: ["VisageHeads"]),
        .executable(name: "visage", targets: ["visage"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-openapi-generator", from: "1.14.3"),
        .package(url: "https://github.com/apple/swift-openapi-runtime", from: "1.13.4"),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird", from: "2.1.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    ],
    targets: [
        // C libraries from Debian (libjpeg62-turbo-dev, libpng-dev, libwebp-dev; scripts/setup installs them).
        .systemLibrary(name: "CJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg62-turbo-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CWebP", pkgConfig: "libwebp", providers: [.apt(["libwebp-dev"])]),
        // setjmp/longjmp error handling for libjpeg and libpng, which Swift cannot do itself.
        .target(name: "CImageCodecs", dependencies: ["CJPEG", "CPNG"]),
        // FFmpeg from Debian (libavformat-dev, libavcodec-dev, libswscale-dev, libavutil-dev; scripts/setup installs them).
        // Video decode/encode through FFmpeg behind a few plain C calls (its API is macros and owned pointers).
        // Compiled against Debian's FFmpeg headers (libav*-dev, in the default include path) but not linked:
        // FFmpegLoader.h opens the libraries with dlopen when a video is first opened.
        .target(name: "CVideoCodecs", linkerSettings: [.linkedLibrary("dl")]),
        // Our own declarations of the part of ONNX Runtime's C API we call; the library is dlopen'ed.
        .target(name: "COnnxRuntime"),
        // The gallery's fast-scan kernels: 4-bit product-quantisation codes through pshufb tables (AVX2 picked at run time, scalar otherwise).
        .target(name: "CVectorKernels"),

        .target(name: "VisageCore", dependencies: ["CImageCodecs", "CJPEG", "CPNG", "CWebP"], swiftSettings: swiftSettings),
        .target(name: "VisageRuntime", dependencies: ["COnnxRuntime"], swiftSettings: swiftSettings),
        .target(name: "VisageModels", dependencies: ["VisageCore", "VisageRuntime", .product(name: "Crypto", package: "swift-crypto")], swiftSettings: swiftSettings),
        .target(name: "Visage", dependencies: ["VisageCore", "VisageRuntime", "VisageModels"], swiftSettings: swiftSettings),
        // Custom heads: softmax regression on face features, trained from labelled photos (`train-head`, `analyze --head`).
        .target(name: "VisageHeads", dependencies: ["Visage", "VisageCore", "VisageModels"], swiftSettings: swiftSettings),
        // Evaluation on named real data sets: protocol parsers, metrics, plots, reports; the labelled sets, QA data and
        // multiple-choice benchmark of VisageAsk, and CFP calibration and open-set identification through VisageGallery
        // (evaluation sits above what it measures, so the server never links it).
        .target(name: "VisageEvaluation", dependencies: ["Visage", "VisageCore", "VisageModels", "VisageRuntime", "VisageHeads", "VisageAsk", "VisageGallery", "VisageJSON"], swiftSettings: swiftSettings),
        // Video: frames decoded through FFmpeg, faces linked into tracks, per-track summaries, annotated MP4s.
        .target(name: "VisageVideo", dependencies: ["Visage", "VisageCore", "VisageModels", "CVideoCodecs"], swiftSettings: swiftSettings),
        // Persistent people + templates (SQLite through GRDB, or PostgreSQL through postgres-nio) and the in-memory search index;
        // their `--json` shapes (Person, Template, AuditEntry, Identification) through VisageJSON's JSONValue.
        .target(
            name: "VisageGallery",
            dependencies: [
                "Visage", "VisageCore", "VisageModels", "VisageJSON", "CVectorKernels", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Tools for recognition training data: walker, sharded embedding cache, cleaning, noisy copies, masking.
        .target(name: "VisageDataset", dependencies: ["Visage", "VisageCore", "VisageModels"], swiftSettings: swiftSettings),
        // Questions and descriptions in plain language from what the pipeline measured (VisageEvaluation holds its benchmark).
        .target(name: "VisageAsk", dependencies: ["Visage", "VisageCore", "VisageModels", "VisageGallery", "VisageJSON"], swiftSettings: swiftSettings),
        // The `--json` shapes of faces and verifications (JSONValue), shared by the CLI and the server; no database.
        // People, templates, audit entries and identifications print from VisageGallery, beside their types.
        .target(name: "VisageJSON", dependencies: ["Visage", "VisageCore", "VisageModels"], swiftSettings: swiftSettings),
        // `visage serve`: the REST API (Hummingbird 2), generated from openapi.yaml by swift-openapi-generator's
        // build plugin; the spec (served as YAML and JSON, read with Yams) and the web page are resources.
        .target(
            name: "VisageServer",
            dependencies: [
                "Visage", "VisageCore", "VisageModels", "VisageGallery", "VisageJSON", "VisageAsk",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("openapi.yaml"), .copy("Resources")],
            swiftSettings: swiftSettings,
            plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]
        ),
        .executableTarget(
            name: "visage",
            dependencies: ["Visage", "VisageCore", "VisageModels", "VisageRuntime", "VisageEvaluation", "VisageGallery", "VisageAsk", "VisageDataset", "VisageJSON",
                           "VisageServer", "VisageVideo", "VisageHeads",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftSettings
        ),
        // What the test targets share: where the models, samples and shared data are (Fixtures), and scratch folders removed when the test process exits.
        .target(name: "VisageTestSupport", path: "Tests/VisageTestSupport", swiftSettings: swiftSettings),
        // The measurement behind RuntimeConfiguration.sharesThreadPool's default (`swift run -c release visage-runtime-bench`).
        .executableTarget(name: "visage-runtime-bench", dependencies: ["VisageRuntime"], path: "Benchmarks/RuntimeThroughput", swiftSettings: swiftSettings),

        .testTarget(name: "VisageCoreTests", dependencies: ["VisageCore", "CJPEG", "CPNG", "CWebP", "VisageTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "VisageRuntimeTests", dependencies: ["VisageRuntime"], resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(name: "VisageModelsTests", dependencies: ["VisageModels", "VisageCore", "VisageRuntime"], swiftSettings: swiftSettings),
        .testTarget(name: "VisageTests", dependencies: ["Visage", "VisageCore", "VisageModels", "VisageRuntime", "VisageJSON", "VisageTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "VisageHeadsTests", dependencies: ["VisageHeads", "Visage", "VisageCore", "VisageModels", "VisageTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "VisageEvaluationTests", dependencies: ["VisageEvaluation", "VisageHeads", "VisageAsk", "Visage", "VisageCore", "VisageModels", "VisageRuntime", "VisageTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "VisageGalleryTests",
            dependencies: ["VisageGallery", "Visage", "VisageCore", "VisageModels", "CVectorKernels", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "PostgresNIO", package: "postgres-nio"),
                           .product(name: "Logging", package: "swift-log"), "VisageTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "VisageAskTests", dependencies: ["VisageAsk", "Visage", "VisageCore", "VisageModels", "VisageTestSupport"], resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(name: "VisageDatasetTests", dependencies: ["VisageDataset", "Visage", "VisageCore", "VisageTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "VisageVideoTests", dependencies: ["VisageVideo", "Visage", "VisageCore", "VisageModels", "VisageTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "VisageCLITests", dependencies: ["visage", "VisageTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "VisageServerTests",
            dependencies: ["VisageServer", "Visage", "VisageCore", "VisageGallery", "VisageTestSupport", .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "HummingbirdTesting", package: "hummingbird"),
                           .product(name: "NIOCore", package: "swift-nio"), .product(name: "HTTPTypes", package: "swift-http-types"),
                           .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
    ]
)
