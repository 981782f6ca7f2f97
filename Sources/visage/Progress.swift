import Foundation
import Synchronization

/// The progress line on stderr, "[done/total] label" padded to 100 characters and redrawn in
/// place, for every command with a long run.
///
/// It is fed one of two ways. ``advance(_:)`` counts the items itself (a command that sees each
/// result: analyze, identify, enroll, calibrate, train-head); it draws every step, only when
/// there is more than one item, and ends the line at the last. ``update(_:_:_:)`` takes the
/// counts a library reports (the evaluations, the dataset tools); it redraws at most ten times
/// a second, and ``finish()`` ends the line.
///
/// ```swift
/// var progress = Progress(total: paths.count)
/// for await item in analyzer.analyzeFiles(paths) { progress.advance(item.path) }
/// ```
struct Progress {
    /// What ``advance(_:)`` counts up to; ``update(_:_:_:)`` sets it to the total it is given.
    private var total: Int
    private var done = 0
    private var drawn = false
    private var lastDraw = ContinuousClock.now - .seconds(1)

    /// `total`: the number of items ``advance(_:)`` will count (default 0, for ``update(_:_:_:)``).
    init(total: Int = 0) { self.total = total }

    /// One more item done; draws it unless there is only one item in all.
    mutating func advance(_ label: String) {
        done += 1
        guard total > 1 else { return }
        draw(label)
        if done == total { finish() }
    }

    /// `done` of `total` items, the last being `label`; drawn when a tenth of a second has
    /// passed since the last draw, and always at the end.
    mutating func update(_ done: Int, _ total: Int, _ label: String) {
        let now = ContinuousClock.now
        guard done == total || now - lastDraw > .milliseconds(100) else { return }
        lastDraw = now
        self.done = done
        self.total = total
        draw(label)
    }

    /// Ends the line with a newline if it is still open (``printError`` may have ended it).
    mutating func finish() {
        if drawn, ProgressLine.close() { FileHandle.standardError.write(Data("\n".utf8)) }
        drawn = false
    }

    private mutating func draw(_ label: String) {
        drawn = true
        let line = "\r[\(done)/\(total)] \(label)"
        FileHandle.standardError.write(Data((line.count > 100 ? String(line.prefix(100)) : line + String(repeating: " ", count: 100 - line.count)).utf8))
        ProgressLine.isOpen = true
    }
}

/// Whether a progress line ("\r[3/7] …", no newline) ends stderr, so that ``printError`` starts
/// its message on a line of its own instead of after the progress line's padding.
enum ProgressLine {
    private static let open = Atomic<Bool>(false)

    static var isOpen: Bool {
        get { open.load(ordering: .relaxed) }
        set { open.store(newValue, ordering: .relaxed) }
    }

    /// Marks the line closed; true when it was open, so the caller ends it with a newline.
    static func close() -> Bool { open.exchange(false, ordering: .relaxed) }
}
