/// A classifier the analyzer runs on each face after its own models, adding its
/// ``HeadPrediction`` to ``Face/heads``: a user's head trained on features the analyzer computes
/// (`VisageHeads.FaceHead`, which `visage train-head` writes, conforms). Given per call
/// (``FaceAnalyzer/analyze(_:tasks:heads:)``, the batch API's `heads:`), so the CLI's `--head`
/// and a service's requests run heads through the same pipeline; the library never needs to
/// know how a head was trained or stored.
public protocol CustomHead: Sendable {
    /// What the analyzer must compute for ``predict(_:)`` to read its features; a call with
    /// heads computes these on top of its own tasks.
    var requiredTasks: FaceAnalyzer.Tasks { get }

    /// The head's prediction for one analysed face, nil when the face lacks its features.
    func predict(_ face: Face) -> HeadPrediction?
}

extension FaceAnalyzer.Tasks {
    /// These tasks and what `heads` read.
    public func adding(_ heads: [any CustomHead]) -> FaceAnalyzer.Tasks {
        heads.reduce(self) { $0.union($1.requiredTasks) }
    }
}

extension Array where Element == Face {
    /// Appends each head's prediction, in head order, to every face that has its features.
    mutating func apply(_ heads: [any CustomHead]) {
        guard !heads.isEmpty else { return }
        for i in indices {
            for head in heads { if let prediction = head.predict(self[i]) { self[i].heads.append(prediction) } }
        }
    }
}
