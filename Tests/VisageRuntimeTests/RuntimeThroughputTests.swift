import Foundation
import Testing
import VisageRuntime

/// The measurement behind ``RuntimeConfiguration/sharesThreadPool``'s default: a detector and
/// three classifiers run in turn, from one task and from two, on the real models. Opt-in
/// (`VISAGE_RUNTIME_BENCH=1`) because it takes tens of seconds and its figures depend on the
/// machine; run it alone, once per threading mode, since a process loads one configuration:
///
///     VISAGE_RUNTIME_BENCH=1 VISAGE_ORT_SHARED_POOL=0 VISAGE_ORT_SPINNING=0 \
///         swift test --filter RuntimeThroughputTests
struct RuntimeThroughputTests {
    static let enabled =
        ProcessInfo.processInfo.environment["VISAGE_RUNTIME_BENCH"] == "1"
        && ["yunet_2023mar.onnx", "sface_2021dec.onnx", "age-v1.onnx", "gender-v1.onnx"].allSatisfy(RuntimeIntegrationTests.present)

    struct Stage: Sendable {
        let session: InferenceSession
        let feeds: [String: Tensor]
    }

    @Test(.enabled(if: enabled, "set VISAGE_RUNTIME_BENCH=1 (and provision the models) to measure"))
    func pipelineFromOneTaskAndFromTwo() async throws {
        let stages = try [
            ("yunet 640×640", "yunet_2023mar.onnx", "input", [1, 3, 640, 640]),
            ("sface ×8", "sface_2021dec.onnx", "data", [8, 3, 112, 112]),
            ("age ×8", "age-v1.onnx", "images", [8, 3, 64, 64]),
            ("gender ×8", "gender-v1.onnx", "images", [8, 3, 32, 32]),
        ].map { label, file, input, shape in
            (label, Stage(session: try Fixture.session(RuntimeIntegrationTests.model(file)), feeds: [input: try RuntimeIntegrationTests.batch(shape)]))
        }
        let pipeline = stages.map(\.1)
        func runPipeline(_ times: Int) throws {
            for _ in 0..<times {
                for stage in pipeline {
                    _ = try stage.session.run(stage.feeds)
                }
            }
        }
        try runPipeline(3)

        var report: [String] = []
        for (label, stage) in stages {
            let time = try ContinuousClock().measure { for _ in 0..<10 { _ = try stage.session.run(stage.feeds) } }
            report.append("\(label) \(Self.milliseconds(time / 10))")
        }
        let iterations = 16
        var cpu = Self.processorTime()
        let oneTask = try ContinuousClock().measure { try runPipeline(iterations) }
        let oneTaskProcessor = Self.processorTime() - cpu
        cpu = Self.processorTime()
        let twoTasks = try await ContinuousClock().measure {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<2 {
                    group.addTask { try runPipeline(iterations / 2) }
                }
                try await group.waitForAll()
            }
        }
        let twoTasksProcessor = Self.processorTime() - cpu
        let configuration = try Fixture.runtime().configuration
        print(
            "BENCH shared=\(configuration.sharesThreadPool) spinning=\(configuration.allowsSpinning)",
            "threads=\(configuration.intraOpThreads)",
            "| pipeline 1 task \(Self.milliseconds(oneTask / iterations)) (cpu \(Self.milliseconds(oneTaskProcessor / iterations)))",
            "2 tasks \(Self.milliseconds(twoTasks / iterations)) (cpu \(Self.milliseconds(twoTasksProcessor / iterations)))",
            "|", report.joined(separator: ", ")
        )
    }

    /// User plus system time of the whole process: spinning threads show here even when the
    /// wall clock hides them.
    static func processorTime() -> Duration {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        let microseconds = (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1_000_000
            + Int(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec)
        return .microseconds(microseconds)
    }

    static func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return String(format: "%.1f ms", Double(seconds) * 1e3 + Double(attoseconds) / 1e15)
    }
}
