public import Visage
import Foundation
import VisageCore

/// A trained custom head: a softmax classifier over one kind of face features, with its labels
/// and the report of how it was trained. `visage train-head` writes it as JSON;
/// `visage analyze --head` reads it. The analyzer runs it as a ``CustomHead``:
///
/// ```swift
/// let head = try FaceHead(contentsOf: "masks.json")
/// let faces = try await analyzer.analyze(image, tasks: .all, heads: [head])
/// print(faces.first?.heads.first?.label ?? "no face")
/// ```
public struct FaceHead: CustomHead, Codable {
    /// Always "visage-head"; lets a reader refuse some other JSON file early.
    public var format = FaceHead.formatName
    /// Version of this file layout; 1.
    public var version = 1
    /// The key of its prediction in `analyze`'s output (default: the file name without `.json`).
    public var name: String
    /// Class names, in the order of the classifier's rows.
    public var labels: [String]
    public var features: FeatureSource
    public var classifier: SoftmaxRegression
    /// The number each label stands for, in label order, when the labels are bins of a
    /// quantity (an age head's bands stand for the mean age of their training photos); the
    /// prediction then also carries the probability-weighted mean. nil (absent from the file)
    /// for a plain classifier.
    public var values: [Float]?
    public var training: TrainingReport

    public static let formatName = "visage-head"

    /// Which features the head reads, and from which model file.
    public struct FeatureSource: Sendable, Codable, Hashable {
        public var name: FaceFeatures
        public var model: String
        public var dimension: Int

        public init(_ features: FaceFeatures) {
            name = features
            model = features.model
            dimension = features.dimension
        }
    }

    public init(name: String, labels: [String], features: FaceFeatures, classifier: SoftmaxRegression,
                values: [Float]? = nil, training: TrainingReport) {
        self.name = name
        self.labels = labels
        self.features = FeatureSource(features)
        self.classifier = classifier
        self.values = values
        self.training = training
    }

    /// Reads and checks a head file: it must be a Visage head whose features this build
    /// computes with the same model, and whose sizes agree with each other.
    /// Read like keys files (``SmallFile``): a pipe works (`--head <(…)`), a folder or device
    /// is refused in words.
    public init(contentsOf path: String) throws(HeadError) {
        let data: Data
        do { data = try SmallFile.contents(of: path) } catch { throw .unreadableHead(path: path, reason: error.reason) }
        do {
            self = try JSONDecoder().decode(FaceHead.self, from: data)
        } catch let DecodingError.dataCorrupted(context) where context.codingPath.map(\.stringValue) == ["features", "name"] {
            throw .incompatibleHead(path: path, reason: "its features are not ones this build computes (\(FaceFeatures.allCases.map(\.rawValue).joined(separator: ", ")))")
        } catch {
            throw .unreadableHead(path: path, reason: DecodingProblem.describe(error, in: data))
        }
        guard format == Self.formatName else { throw .unreadableHead(path: path, reason: "format is \"\(format)\", not \"\(Self.formatName)\"") }
        guard version == 1 else { throw .unreadableHead(path: path, reason: "file version \(version) is newer than this build reads (1)") }
        let expected = features.name
        guard features.model == expected.model, features.dimension == expected.dimension else {
            throw .incompatibleHead(path: path, reason: "trained on \(features.name.rawValue) features from \(features.model) (\(features.dimension)-d); this build computes them with \(expected.model) (\(expected.dimension)-d). Train the head again.")
        }
        let k = labels.count
        let d = features.dimension
        // A repeated label would make a prediction ambiguous; sizes may well agree then.
        var seen = Set<String>()
        if let repeated = labels.first(where: { !seen.insert($0).inserted }) {
            throw .unreadableHead(path: path, reason: "the label \"\(repeated)\" appears more than once; each label must be distinct")
        }
        guard k >= 2, classifier.bias.count == k, classifier.weights.count == k, classifier.weights.allSatisfy({ $0.count == d }),
              classifier.mean.count == d, classifier.scale.count == d, values.map({ $0.count == k }) ?? true else {
            throw .unreadableHead(path: path, reason: "labels, values, weights, bias and normalisation do not agree in size")
        }
        // Training gives every feature a positive scale (1 for one that never varied); a zero
        // divides every face's features into NaN, and the head would name its first label for
        // everyone with no score.
        guard classifier.scale.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw .unreadableHead(path: path, reason: "a normalisation scale is zero, negative or not finite")
        }
    }

    /// Writes the head as pretty-printed JSON with sorted keys (stable diffs).
    public func write(to path: String) throws(HeadError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            try encoder.encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw .unwritable(path: path, reason: error.localizedDescription)
        }
    }

    /// What the analyzer computes for this head: its features' task.
    public var requiredTasks: FaceAnalyzer.Tasks { features.name.tasks }

    /// The head's prediction for one face, nil when the face lacks the head's features.
    public func predict(_ face: Face) -> HeadPrediction? {
        guard let vector = features.name.vector(of: face), vector.count == classifier.featureCount else { return nil }
        let probabilities = classifier.probabilities(vector)
        let best = probabilities.indices.max { probabilities[$0] < probabilities[$1] }!
        let value = values.map { zip($0, probabilities).reduce(Float(0)) { $0 + $1.0 * $1.1 } }
        return HeadPrediction(head: name, label: labels[best], scores: zip(labels, probabilities).map { ($0, $1) }, value: value)
    }

    /// Appends this head's prediction to every face that has its features.
    public func apply(to faces: inout [Face]) {
        for i in faces.indices {
            if let prediction = predict(faces[i]) { faces[i].heads.append(prediction) }
        }
    }
}

/// How a head was trained and how well it did under cross-validation.
public struct TrainingReport: Sendable, Codable, Hashable {
    /// Photos per label that gave a face (the examples), in label order.
    public var examples: [Int]
    /// Photos left out, with why (no face found, unreadable).
    public var skipped: [SkippedPhoto]
    /// The L2 penalty used, and the candidates it was chosen from by cross-validated balanced
    /// accuracy (a single value when it was given).
    public var l2: Double
    public var l2Candidates: [Double]
    public var balancesClasses: Bool
    public var folds: Int
    public var seed: UInt64
    /// Held-out-fold figures at the chosen penalty. The penalty was picked on the same folds,
    /// so with several candidates these lean slightly optimistic.
    public var crossValidatedAccuracy: Double
    public var crossValidatedBalancedAccuracy: Double
    /// Each label's held-out recall, in label order.
    public var crossValidatedRecall: [Double]
    /// Accuracy of always answering the commonest label.
    public var majorityBaseline: Double
    /// Accuracy of the final model on its own training examples.
    public var trainingAccuracy: Double
    public var iterations: Int
    public var converged: Bool

    /// A photo left out of training, and why. In the head file it is `path`, `kind`
    /// (`no-face`, `no-features` or `unreadable`) and `reason` in words.
    public struct SkippedPhoto: Sendable, Codable, Hashable {
        public var path: String
        public var reason: Reason

        public init(path: String, reason: Reason) {
            self.path = path
            self.reason = reason
        }

        /// Why a photo was left out: the photo itself was bad (``unreadable(message:)``), or it
        /// was read and gave no features (``noFace``, ``noFeatures(_:)``).
        public enum Reason: Sendable, Hashable, CustomStringConvertible {
            /// The photo was read and analysed; no face was found in it.
            case noFace
            /// A face was found but these features were not computed for it.
            case noFeatures(FaceFeatures)
            /// The photo could not be read or decoded; `message` is the error in words.
            case unreadable(message: String)

            /// Whether the photo itself could not be used (a bad input), not merely faceless.
            public var isUnreadable: Bool {
                if case .unreadable = self { true } else { false }
            }

            /// The reason in words, as the head file and `train-head` show it.
            public var description: String {
                switch self {
                case .noFace: "no face found"
                case let .noFeatures(features): "\(features.rawValue) features not computed"
                case let .unreadable(message): message
                }
            }

            /// The head file's `kind`.
            var kind: String {
                switch self {
                case .noFace: "no-face"
                case .noFeatures: "no-features"
                case .unreadable: "unreadable"
                }
            }
        }

        private enum CodingKeys: String, CodingKey {
            case path, kind, reason, features
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            path = try container.decode(String.self, forKey: .path)
            let text = try container.decode(String.self, forKey: .reason)
            switch try container.decodeIfPresent(String.self, forKey: .kind) {
            case "no-face"?: reason = .noFace
            case "no-features"?: reason = .noFeatures(try container.decode(FaceFeatures.self, forKey: .features))
            case "unreadable"?: reason = .unreadable(message: text)
            case nil:
                // Head files written before `kind` hold only the words; these two sentences
                // were the only ones written for a photo that was read.
                if text == "no face found" {
                    reason = .noFace
                } else if let features = FaceFeatures.allCases.first(where: { text == "\($0.rawValue) features not computed" }) {
                    reason = .noFeatures(features)
                } else {
                    reason = .unreadable(message: text)
                }
            case let kind?:
                throw DecodingError.dataCorruptedError(forKey: .kind, in: container, debugDescription: "unknown kind \(kind)")
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(path, forKey: .path)
            try container.encode(reason.kind, forKey: .kind)
            try container.encode(reason.description, forKey: .reason)
            if case let .noFeatures(features) = reason { try container.encode(features, forKey: .features) }
        }
    }
}
