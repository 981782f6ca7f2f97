import Foundation
import VisageRuntime

// The measurement behind `RuntimeConfiguration.sharesThreadPool`'s default: a detector and three
// classifiers run in turn, from one task and from two, on the real models of `$VISAGE_HOME/models`
// (`make setup`). A process loads one configuration, so run it once per threading mode:
//
//     swift run -c release visage-runtime-bench
//     VISAGE_ORT_SHARED_POOL=0 VISAGE_ORT_SPINNING=0 swift run -c release visage-runtime-bench
//
// It prints one line; the figures depend on the machine and on what else runs on it.

let environment = ProcessInfo.processInfo.environment
let models = (environment["VISAGE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory() + "/.cache/visage") + "/models"
let runtime = try OnnxRuntime.shared(RuntimeConfiguration(environment: environment))

/// A deterministic, image-like batch: each item a different smooth ramp in 0...255.
func batch(_ shape: [Int]) throws -> Tensor {
    let perItem = shape.dropFirst().reduce(1, *)
    let values = (0..<shape[0] * perItem).map { index in Float((index % perItem) * (index / perItem + 1) % 256) }
    return try Tensor(shape: shape, values: values)
}

struct Stage: Sendable {
    let label: String
    let session: InferenceSession
    let feeds: [String: Tensor]
}

let stages = try [
    ("yunet 640×640", "yunet_2023mar.onnx", "input", [1, 3, 640, 640]),
    ("sface ×8", "sface_2021dec.onnx", "data", [8, 3, 112, 112]),
    ("age ×8", "age-v1.onnx", "images", [8, 3, 64, 64]),
    ("gender ×8", "gender-v1.onnx", "images", [8, 3, 32, 32]),
].map { label, file, input, shape in
    let path = models + "/" + file
    guard FileManager.default.fileExists(atPath: path) else {
        FileHandle.standardError.write(Data("\(path) is missing: run `make setup` (scripts/setup) first.\n".utf8))
        exit(1)
    }
    return Stage(label: label, session: try InferenceSession(modelPath: path, runtime: runtime), feeds: [input: try batch(shape)])
}

@Sendable func runPipeline(_ times: Int) throws {
    for _ in 0..<times {
        for stage in stages { _ = try stage.session.run(stage.feeds) }
    }
}

/// User plus system time of the whole process: spinning threads show here even when the wall
/// clock hides them.
func processorTime() -> Duration {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    let microseconds = (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1_000_000 + Int(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec)
    return .microseconds(microseconds)
}

func milliseconds(_ duration: Duration) -> String {
    let (seconds, attoseconds) = duration.components
    return String(format: "%.1f ms", Double(seconds) * 1e3 + Double(attoseconds) / 1e15)
}

try runPipeline(3)
var perStage: [String] = []
for stage in stages {
    let time = try ContinuousClock().measure { for _ in 0..<10 { _ = try stage.session.run(stage.feeds) } }
    perStage.append("\(stage.label) \(milliseconds(time / 10))")
}
let iterations = 16
var cpu = processorTime()
let oneTask = try ContinuousClock().measure { try runPipeline(iterations) }
let oneTaskProcessor = processorTime() - cpu
cpu = processorTime()
let twoTasks = try await ContinuousClock().measure {
    try await withThrowingTaskGroup(of: Void.self) { group in
        for _ in 0..<2 { group.addTask { try runPipeline(iterations / 2) } }
        try await group.waitForAll()
    }
}
let twoTasksProcessor = processorTime() - cpu
let configuration = runtime.configuration
print(
    "shared=\(configuration.sharesThreadPool) spinning=\(configuration.allowsSpinning) threads=\(configuration.intraOpThreads)",
    "| pipeline 1 task \(milliseconds(oneTask / iterations)) (cpu \(milliseconds(oneTaskProcessor / iterations)))",
    "2 tasks \(milliseconds(twoTasks / iterations)) (cpu \(milliseconds(twoTasksProcessor / iterations)))",
    "|", perStage.joined(separator: ", ")
)
