public import Visage
import VisageCore
import Foundation

/// Trains a ``FaceHead`` from labelled photos: finds the largest face in each, takes its
/// features, chooses the L2 penalty by stratified k-fold cross-validation, then fits the final
/// classifier on every example.
///
/// ```swift
/// let photos = try LabelledPhotos(folder: "my-labels")
/// let head = try await HeadTrainer().train(name: "helmet", photos: photos, analyzer: analyzer)
/// try head.write(to: "helmet.json")
/// ```
public struct HeadTrainer: Sendable {
    public var features: FaceFeatures
    /// Fixed L2 penalty; nil (the default) picks one of ``l2Candidates`` by cross-validation.
    public var l2: Double?
    /// Default 0.001, 0.01, 0.1, 1, 10 (per unit of mean cross-entropy on standardised features).
    public var l2Candidates: [Double]
    /// Default true: each label weighs the same in the loss, however many photos it has.
    public var balancesClasses: Bool
    /// Cross-validation folds and shuffle seed; default 5 folds, seed 1.
    public var crossValidation: CrossValidation
    /// Fewest usable photos (with a face) a label needs; default 2.
    public var minimumExamples: Int

    public init(features: FaceFeatures = .sface, l2: Double? = nil, l2Candidates: [Double] = [0.001, 0.01, 0.1, 1, 10],
                balancesClasses: Bool = true, crossValidation: CrossValidation = .init(), minimumExamples: Int = 2) {
        self.features = features
        self.l2 = l2
        self.l2Candidates = l2Candidates
        self.balancesClasses = balancesClasses
        self.crossValidation = crossValidation
        self.minimumExamples = minimumExamples
    }

    /// Analyses the photos (two in flight), then trains on the faces found.
    public func train(name: String, photos: LabelledPhotos, analyzer: FaceAnalyzer,
                      progress: (Int, Int, String) -> Void = { _, _, _ in }) async throws(HeadError) -> FaceHead {
        let collected = await FeatureCollection.collect(photos.paths, features: features, analyzer: analyzer, progress: progress)
        var rows: [[Float]] = []
        var labels: [Int] = []
        for (path, label) in zip(photos.paths, photos.labels) {
            if let row = collected.vectors[path] { rows.append(row); labels.append(label) }
        }
        return try train(name: name, labelNames: photos.labelNames, rows: rows, labels: labels, skipped: collected.skipped)
    }

    /// Trains on features already extracted (`labels` index into `labelNames`).
    public func train(name: String, labelNames: [String], rows: [[Float]], labels: [Int],
                      skipped: [TrainingReport.SkippedPhoto] = []) throws(HeadError) -> FaceHead {
        let counts = labelNames.indices.map { c in labels.count { $0 == c } }
        for (label, count) in zip(labelNames, counts) where count < minimumExamples {
            throw .tooFewExamples(label: label, usable: count, needed: minimumExamples)
        }
        let k = labelNames.count
        let candidates = l2.map { [$0] } ?? l2Candidates
        var best: (l2: Double, result: CrossValidationResult)?
        for candidate in candidates {
            let result = crossValidation.run(features: rows, labels: labels, classCount: k,
                                             options: .init(l2: candidate, balancesClasses: balancesClasses))
            // Ties go to the stronger penalty, the smoother model.
            if best == nil || result.balancedAccuracy >= best!.result.balancedAccuracy { best = (candidate, result) }
        }
        let chosen = best!
        let fit = SoftmaxRegression.fit(features: rows, labels: labels, classCount: k,
                                        options: .init(l2: chosen.l2, balancesClasses: balancesClasses))
        let trainingAccuracy = Double(zip(rows, labels).count { fit.model.predict($0) == $1 }) / Double(rows.count)
        let report = TrainingReport(
            examples: counts, skipped: skipped, l2: chosen.l2, l2Candidates: candidates.sorted(), balancesClasses: balancesClasses,
            folds: chosen.result.folds, seed: crossValidation.seed,
            crossValidatedAccuracy: chosen.result.accuracy, crossValidatedBalancedAccuracy: chosen.result.balancedAccuracy,
            crossValidatedRecall: chosen.result.recalls.map { $0 ?? 0 }, majorityBaseline: chosen.result.majorityBaseline,
            trainingAccuracy: trainingAccuracy, iterations: fit.iterations, converged: fit.converged)
        return FaceHead(name: name, labels: labelNames, features: features, classifier: fit.model, training: report)
    }
}

/// Photos with labels from a folder of label folders (`DIR/<label>/*.jpg`), labels sorted by
/// name and photos by path, so the same folder always gives the same order.
public struct LabelledPhotos: Sendable {
    public var labelNames: [String]
    public var paths: [String]
    /// Index into ``labelNames`` for each path.
    public var labels: [Int]


    public init(labelNames: [String], paths: [String], labels: [Int]) {
        self.labelNames = labelNames
        self.paths = paths
        self.labels = labels
    }

    public init(folder: String) throws(HeadError) {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: folder, isDirectory: &isDirectory) else { throw .badTrainingFolder(path: folder, reason: "no such folder.") }
        guard isDirectory.boolValue else { throw .badTrainingFolder(path: folder, reason: "a file, not a folder.") }
        let entries = ((try? fm.contentsOfDirectory(atPath: folder)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        var names: [String] = []
        var paths: [String] = []
        var labels: [Int] = []
        for entry in entries {
            let labelFolder = folder + "/" + entry
            guard fm.fileExists(atPath: labelFolder, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
            let photos = ((try? fm.contentsOfDirectory(atPath: labelFolder)) ?? [])
                .filter { !$0.hasPrefix(".") && ImageFormat.hasImageExtension($0) }.sorted()
            guard !photos.isEmpty else { continue }
            for photo in photos {
                paths.append(labelFolder + "/" + photo)
                labels.append(names.count)
            }
            names.append(entry)
        }
        guard names.count >= 2 else {
            throw .badTrainingFolder(path: folder, reason: names.isEmpty ? "no label folder with photos." : "only one label folder with photos (\(names[0])); a head needs at least two.")
        }
        self.init(labelNames: names, paths: paths, labels: labels)
    }
}

/// The features of the largest face in each photo, and the photos that gave none.
public struct FeatureCollection: Sendable {
    public var vectors: [String: [Float]] = [:]
    public var skipped: [TrainingReport.SkippedPhoto] = []

    public static func collect(_ paths: [String], features: FaceFeatures, analyzer: FaceAnalyzer,
                               progress: (Int, Int, String) -> Void = { _, _, _ in }) async -> FeatureCollection {
        var result = FeatureCollection()
        var done = 0
        for await item in analyzer.analyzeFiles(paths, concurrency: 2) {
            done += 1
            progress(done, paths.count, item.path)
            switch item.result {
            case let .success(analyzed):
                if let face = analyzed.faces.largest, let vector = features.vector(of: face) {
                    result.vectors[item.path] = vector
                } else {
                    result.skipped.append(.init(path: item.path, reason: analyzed.faces.isEmpty ? .noFace : .noFeatures(features)))
                }
            case let .failure(error):
                result.skipped.append(.init(path: item.path, reason: .unreadable(message: (error as? any LocalizedError)?.errorDescription ?? "\(error)")))
            }
        }
        return result
    }
}
