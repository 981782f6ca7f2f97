public import Visage
public import VisageHeads

/// Trains a head for one UTKFace attribute from the labels in the file names, on the SFace
/// embedding of each photo's largest face (embedded once, through an ``ImageEmbeddings`` cache
/// when a path is given, so the three attributes share one pass over the photos).
///
/// Pass the training part (`UTKFaceDataset(root:part: .training)`) so that the held-out part
/// stays unseen. The age head is trained without label balancing, whatever the trainer says:
/// its probabilities are read out as a mean age, which must reflect how common each age is.
///
/// ```swift
/// let training = try UTKFaceDataset(root: "../shared/data/utkface", part: .training)
/// let head = try await UTKFaceHeadTraining(attribute: .gender, dataset: training)
///     .train(name: "utkface-gender", trainer: HeadTrainer(), analyzer: analyzer, cachePath: "out/utk.tsv") { _, _, _ in }
/// ```
public struct UTKFaceHeadTraining: Sendable {
    public var attribute: UTKFaceAttribute
    public var dataset: UTKFaceDataset

    public init(attribute: UTKFaceAttribute, dataset: UTKFaceDataset) {
        self.attribute = attribute
        self.dataset = dataset
    }

    /// The photos that carry the attribute, with their classes.
    public var labelled: [(sample: UTKFaceSample, label: Int)] {
        dataset.samples.compactMap { sample in attribute.label(of: sample).map { (sample, $0) } }
    }

    /// The analyzer must compute the SFace embedding.
    public func train(name: String, trainer: HeadTrainer, analyzer: FaceAnalyzer, cachePath: String?,
                      progress: EvaluationProgress) async throws(HeadError) -> FaceHead {
        let labelled = labelled
        let embedded = await ImageEmbeddings.collect(labelled.map(\.sample.path), analyzer: analyzer, cachePath: cachePath, progress: progress)
        var rows: [[Float]] = []
        var labels: [Int] = []
        var ages: [Int] = []
        for (sample, label) in labelled {
            guard let row = embedded.embeddings[sample.path] else { continue }
            rows.append(row)
            labels.append(label)
            ages.append(sample.age)
        }
        let skipped = embedded.withoutFace.map { TrainingReport.SkippedPhoto(path: $0, reason: .noFace) }
            + embedded.unreadable.map { TrainingReport.SkippedPhoto(path: $0.path, reason: .unreadable(message: $0.error)) }
        var trainer = trainer
        if attribute == .age { trainer.balancesClasses = false }
        var head = try trainer.train(name: name, labelNames: attribute.labelNames, rows: rows, labels: labels, skipped: skipped)
        if attribute == .age {
            // Each band stands for the mean age of its training photos (train() has checked
            // that every band has some).
            head.values = attribute.labelNames.indices.map { band in
                let members = zip(labels, ages).filter { $0.0 == band }.map { Float($0.1) }
                return members.reduce(0, +) / Float(members.count)
            }
        }
        return head
    }
}
