enum OpenAPIDocument {
    /// The OpenAPI 3.0 document of the whole service, served at `GET /openapi.json`;
    /// `OpenAPIDocumentTests` checks that it lists every route the router has.
    static let json = #"""
{
  "openapi": "3.0.3",
  "info": {
    "title": "Visage",
    "version": "1.0.0",
    "description": "Face analysis, verification, identification and people management. Responses use the JSON shapes of the CLI's `--json`. Every error is `{\"error\": {\"code\": ..., \"message\": ...}}`. Images are sent as the raw body (Content-Type image/jpeg, image/png or image/webp) or as multipart/form-data file fields. API keys go in `Authorization: Bearer KEY`: the read role may analyse, describe, ask, verify and identify; the admin role also manages people."
  },
  "servers": [{"url": "/"}],
  "security": [{"bearer": []}],
  "tags": [
    {"name": "analysis", "description": "Faces in an image (read role)."},
    {"name": "people", "description": "The gallery of known people (admin role)."},
    {"name": "service", "description": "Health, metrics, this document and the web page (no key needed)."}
  ],
  "paths": {
    "/v1/analyze": {
      "post": {
        "tags": ["analysis"],
        "operationId": "analyze",
        "summary": "Detect every face and estimate landmarks, age, gender and expression.",
        "parameters": [
          {"name": "embedding", "in": "query", "required": false, "description": "Include each face's 128-d embedding. Default false.", "schema": {"type": "boolean", "default": false}},
          {"name": "attributes", "in": "query", "required": false, "style": "form", "explode": false, "description": "What to compute for each face, comma-separated (e.g. age,gender). Fields of attributes not named are null; the embedding is included when named. Default: age, gender, expression and mask. Models no named attribute needs do not run.", "schema": {"type": "array", "minItems": 1, "items": {"type": "string", "enum": ["age", "gender", "expression", "mask", "embedding"]}}}
        ],
        "requestBody": {"$ref": "#/components/requestBodies/Image"},
        "responses": {
          "200": {"description": "The faces, best detector score first.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Analysis"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "413": {"$ref": "#/components/responses/PayloadTooLarge"},
          "408": {"$ref": "#/components/responses/RequestTimeout"},
          "429": {"$ref": "#/components/responses/TooManyUploads"},
          "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
          "422": {"$ref": "#/components/responses/Unprocessable"},
          "503": {"$ref": "#/components/responses/Busy"}
        }
      }
    },
    "/v1/verify": {
      "post": {
        "tags": ["analysis"],
        "operationId": "verify",
        "summary": "Decide whether the largest faces of two images are the same person.",
        "parameters": [
          {"name": "explain", "in": "query", "required": false, "description": "Also return an occlusion-sensitivity explanation: which regions of each aligned face drove the similarity (about 100 extra embeddings, a second or two). Default false.", "schema": {"type": "boolean", "default": false}},
          {"name": "threshold", "in": "query", "required": false, "description": "Cosine similarity at or above which the faces count as the same person. Default: by mask condition, 0.303 with neither face masked (a false-accept rate of 1e-3 on the CFP impostor pairs), 0.401 with one and 0.578 with both (1e-3 on real-mask impostor pairs).", "schema": {"type": "number", "minimum": -1, "maximum": 1}}
        ],
        "requestBody": {
          "required": true,
          "content": {
            "multipart/form-data": {
              "schema": {
                "type": "object",
                "required": ["a", "b"],
                "properties": {
                  "a": {"type": "string", "format": "binary", "description": "The first image."},
                  "b": {"type": "string", "format": "binary", "description": "The second image."}
                }
              }
            }
          }
        },
        "responses": {
          "200": {"description": "The similarity and the decision.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Verification"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "413": {"$ref": "#/components/responses/PayloadTooLarge"},
          "408": {"$ref": "#/components/responses/RequestTimeout"},
          "429": {"$ref": "#/components/responses/TooManyUploads"},
          "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
          "422": {"$ref": "#/components/responses/Unprocessable"},
          "503": {"$ref": "#/components/responses/Busy"}
        }
      }
    },
    "/v1/identify": {
      "post": {
        "tags": ["analysis"],
        "operationId": "identify",
        "summary": "Say who each face in the image is, or that it is unknown.",
        "parameters": [
          {"name": "top_k", "in": "query", "required": false, "description": "Candidates listed per face. Default 5.", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 5}}
        ],
        "requestBody": {"$ref": "#/components/requestBodies/Image"},
        "responses": {
          "200": {"description": "Each face with its identity (null id and name when unknown) and the best candidates.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Identification"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "413": {"$ref": "#/components/responses/PayloadTooLarge"},
          "408": {"$ref": "#/components/responses/RequestTimeout"},
          "429": {"$ref": "#/components/responses/TooManyUploads"},
          "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
          "422": {"$ref": "#/components/responses/Unprocessable"},
          "503": {"$ref": "#/components/responses/Busy"}
        }
      }
    },
    "/v1/describe": {
      "post": {
        "tags": ["analysis"],
        "operationId": "describe",
        "summary": "Describe each face in plain words, composed only from what Visage measured (as `visage describe --json`).",
        "requestBody": {"$ref": "#/components/requestBodies/Image"},
        "responses": {
          "200": {"description": "A summary sentence, and each face (numbered from the left) with its description and measurements; identities come from the service's gallery.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Description"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "413": {"$ref": "#/components/responses/PayloadTooLarge"},
          "408": {"$ref": "#/components/responses/RequestTimeout"},
          "429": {"$ref": "#/components/responses/TooManyUploads"},
          "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
          "422": {"$ref": "#/components/responses/Unprocessable"},
          "503": {"$ref": "#/components/responses/Busy"}
        }
      }
    },
    "/v1/ask": {
      "post": {
        "tags": ["analysis"],
        "operationId": "ask",
        "summary": "Answer a question about the faces in a photo from what Visage measured, or say why it cannot (as `visage ask --json`).",
        "parameters": [
          {"name": "question", "in": "query", "required": false, "description": "The question, in English, when the body is a raw image (multipart requests use the `question` field).", "schema": {"type": "string", "maxLength": 500}}
        ],
        "requestBody": {
          "required": true,
          "description": "The photo and the question: multipart fields `image` (file) and `question` (text), or the raw image with `?question=`.",
          "content": {
            "multipart/form-data": {
              "schema": {
                "type": "object",
                "required": ["image", "question"],
                "properties": {
                  "image": {"type": "string", "format": "binary"},
                  "question": {"type": "string", "maxLength": 500, "example": "How many people are in this photo?"}
                }
              }
            },
            "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
            "image/png": {"schema": {"type": "string", "format": "binary"}},
            "image/webp": {"schema": {"type": "string", "format": "binary"}},
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
          }
        },
        "responses": {
          "200": {"description": "The answer; a question Visage cannot answer is declined in `answer` with a null `value`.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Answer"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "413": {"$ref": "#/components/responses/PayloadTooLarge"},
          "408": {"$ref": "#/components/responses/RequestTimeout"},
          "429": {"$ref": "#/components/responses/TooManyUploads"},
          "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
          "422": {"$ref": "#/components/responses/Unprocessable"},
          "503": {"$ref": "#/components/responses/Busy"}
        }
      }
    },
    "/v1/audit": {
      "get": {
        "tags": ["people"],
        "operationId": "getAuditLog",
        "summary": "The latest audit entries, newest first: who (the API key's name and role) did what to whom, how it ended, and the request id (each response's X-Request-Id).",
        "parameters": [
          {"name": "limit", "in": "query", "required": false, "description": "Entries to return; default 100.", "schema": {"type": "integer", "minimum": 1, "maximum": 10000}}
        ],
        "responses": {
          "200": {"description": "The entries.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AuditLog"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Forbidden"}
        }
      }
    },
    "/v1/people": {
      "get": {
        "tags": ["people"],
        "operationId": "listPeople",
        "summary": "List everyone in the gallery.",
        "responses": {
          "200": {"description": "Everyone, by id.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PeopleList"}}}},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Forbidden"}
        }
      },
      "post": {
        "tags": ["people"],
        "operationId": "createPerson",
        "summary": "Enrol a new person: the largest face of each image becomes a template.",
        "parameters": [
          {"name": "name", "in": "query", "required": false, "description": "The person's name, when the body is a raw image (multipart requests use the `name` field).", "schema": {"type": "string", "maxLength": 200}}
        ],
        "requestBody": {
          "required": true,
          "content": {
            "multipart/form-data": {
              "schema": {
                "type": "object",
                "required": ["name", "image"],
                "properties": {
                  "name": {"type": "string", "maxLength": 200, "description": "The person's name."},
                  "metadata": {"type": "string", "description": "A JSON object of strings, e.g. {\"employee\": \"1042\"}."},
                  "image": {"type": "string", "format": "binary", "description": "A photo of the person; repeat the field for up to 16 photos."}
                }
              }
            },
            "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
            "image/png": {"schema": {"type": "string", "format": "binary"}},
            "image/webp": {"schema": {"type": "string", "format": "binary"}}
          }
        },
        "responses": {
          "201": {
            "description": "The person and the templates stored.",
            "headers": {"Location": {"description": "The new person's URL.", "schema": {"type": "string"}}},
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PersonDetail"}}}
          },
          "400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "413": {"$ref": "#/components/responses/PayloadTooLarge"},
          "408": {"$ref": "#/components/responses/RequestTimeout"},
          "429": {"$ref": "#/components/responses/TooManyUploads"},
          "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
          "422": {"$ref": "#/components/responses/Unprocessable"},
          "503": {"$ref": "#/components/responses/Busy"}
        }
      }
    },
    "/v1/people/{id}": {
      "parameters": [{"$ref": "#/components/parameters/PersonID"}],
      "get": {
        "tags": ["people"],
        "operationId": "getPerson",
        "summary": "One person and their templates (never the embeddings).",
        "responses": {
          "200": {"description": "The person.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PersonDetail"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"}
        }
      },
      "delete": {
        "tags": ["people"],
        "operationId": "deletePerson",
        "summary": "Delete a person and every template of theirs.",
        "responses": {
          "200": {"description": "What was deleted.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Deletion"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"}
        }
      }
    },
    "/v1/people/{id}/faces": {
      "parameters": [{"$ref": "#/components/parameters/PersonID"}],
      "post": {
        "tags": ["people"],
        "operationId": "addFaces",
        "summary": "Add templates to a person from more photos.",
        "requestBody": {
          "required": true,
          "content": {
            "multipart/form-data": {
              "schema": {
                "type": "object",
                "required": ["image"],
                "properties": {
                  "image": {"type": "string", "format": "binary", "description": "A photo of the person; repeat the field for up to 16 photos."}
                }
              }
            },
            "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
            "image/png": {"schema": {"type": "string", "format": "binary"}},
            "image/webp": {"schema": {"type": "string", "format": "binary"}}
          }
        },
        "responses": {
          "201": {"description": "The person and the templates just added.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PersonDetail"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"},
          "413": {"$ref": "#/components/responses/PayloadTooLarge"},
          "408": {"$ref": "#/components/responses/RequestTimeout"},
          "429": {"$ref": "#/components/responses/TooManyUploads"},
          "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
          "422": {"$ref": "#/components/responses/Unprocessable"},
          "503": {"$ref": "#/components/responses/Busy"}
        }
      }
    },
    "/v1/health": {
      "get": {
        "tags": ["service"],
        "operationId": "health",
        "summary": "Whether the service is up, and how busy.",
        "security": [],
        "responses": {
          "200": {"description": "Up.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}}
        }
      }
    },
    "/metrics": {
      "get": {
        "tags": ["service"],
        "operationId": "metrics",
        "summary": "Prometheus metrics: requests by route and status, latency, analyses running and waiting.",
        "security": [],
        "responses": {
          "200": {"description": "Prometheus text exposition format 0.0.4.", "content": {"text/plain": {"schema": {"type": "string"}}}}
        }
      }
    },
    "/openapi.json": {
      "get": {
        "tags": ["service"],
        "operationId": "openapi",
        "summary": "This document.",
        "security": [],
        "responses": {
          "200": {"description": "OpenAPI 3.0 document.", "content": {"application/json": {"schema": {"type": "object"}}}}
        }
      }
    },
    "/": {
      "get": {
        "tags": ["service"],
        "operationId": "webPage",
        "summary": "The web page: analyse a photo, ask about it, compare two photos with an explanation, enrol, identify, list and delete people.",
        "security": [],
        "responses": {
          "200": {"description": "HTML page with its CSS and JavaScript inline.", "content": {"text/html": {"schema": {"type": "string"}}}}
        }
      }
    }
  },
  "components": {
    "securitySchemes": {
      "bearer": {"type": "http", "scheme": "bearer", "description": "An API key from the server's --keys file or $VISAGE_API_KEYS."}
    },
    "parameters": {
      "PersonID": {"name": "id", "in": "path", "required": true, "description": "The person's id (GET /v1/people lists them).", "schema": {"type": "integer", "format": "int64", "minimum": 1}}
    },
    "requestBodies": {
      "Image": {
        "required": true,
        "description": "One image: the raw body, or a multipart file field `image`. JPEG, PNG or WebP, at most the server's body and pixel limits (default 20 MiB, 50,000,000 pixels).",
        "content": {
          "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
          "image/png": {"schema": {"type": "string", "format": "binary"}},
          "image/webp": {"schema": {"type": "string", "format": "binary"}},
          "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
          "multipart/form-data": {
            "schema": {"type": "object", "required": ["image"], "properties": {"image": {"type": "string", "format": "binary"}}}
          }
        }
      }
    },
    "responses": {
      "BadRequest": {"description": "The request could not be used: a missing field, a bad parameter, a damaged image.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "Unauthorized": {"description": "No API key, or an unknown one.", "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "Forbidden": {"description": "The key's role may not do this (people need the admin role).", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "NotFound": {"description": "No person with this id.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "PayloadTooLarge": {"description": "The body is over the server's limit.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "UnsupportedMediaType": {"description": "Not an image type Visage reads (JPEG, PNG, WebP), or not a body type it accepts.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "Unprocessable": {"description": "The image has more pixels than the server's limit (code image_too_large), or no face where one is needed (code no_face).", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "RequestTimeout": {"description": "The body arrived slower than the server's minimum upload rate (after a grace of about 10 s); the connection is closed.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "TooManyUploads": {"description": "This API key already has as many upload bytes in flight as it may; retry after the Retry-After seconds.", "headers": {"Retry-After": {"schema": {"type": "integer"}}}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "Busy": {"description": "Every analysis slot is busy and the queue is full, the request waited too long for one, or (code gallery_unavailable) the gallery's database cannot be reached. Retry after the Retry-After seconds.", "headers": {"Retry-After": {"schema": {"type": "integer"}}}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    },
    "schemas": {
      "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
          "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
              "code": {"type": "string", "description": "Stable, for programs: unauthorized, forbidden, bad_request, not_found, unknown_person, method_not_allowed, payload_too_large, unsupported_media_type, unsupported_image, empty_image, corrupt_image, image_too_large, no_face, busy, timeout, internal."},
              "message": {"type": "string", "description": "For people: what went wrong and what to do."}
            }
          }
        }
      },
      "Box": {"type": "array", "description": "x, y, width, height in pixels of the upright image.", "items": {"type": "number"}, "minItems": 4, "maxItems": 4},
      "Face": {
        "type": "object",
        "required": ["box", "score", "landmarks", "age", "gender", "expression", "mask"],
        "properties": {
          "box": {"$ref": "#/components/schemas/Box"},
          "score": {"type": "number", "minimum": 0, "maximum": 1, "description": "Detector confidence."},
          "landmarks": {"type": "array", "description": "Left eye, right eye, nose tip, left and right mouth corner: [x, y] each.", "items": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2}},
          "age": {"type": "number", "nullable": true, "description": "Apparent age in years."},
          "gender": {
            "type": "object", "nullable": true,
            "required": ["label", "score"],
            "properties": {"label": {"type": "string", "enum": ["female", "male"]}, "score": {"type": "number"}}
          },
          "expression": {
            "type": "object", "nullable": true,
            "required": ["label", "scores"],
            "properties": {
              "label": {"type": "string", "enum": ["angry", "disgust", "fear", "happy", "neutral", "sad", "surprise"]},
              "scores": {"type": "object", "additionalProperties": {"type": "number"}}
            }
          },
          "mask": {
            "type": "object", "nullable": true,
            "required": ["label", "score"],
            "properties": {"label": {"type": "string", "enum": ["with_mask", "without_mask"]}, "score": {"type": "number", "description": "Probability of the label."}}
          },
          "embedding": {"type": "array", "nullable": true, "items": {"type": "number"}, "description": "L2-normalised 128-d SFace embedding; only with ?embedding=true."}
        }
      },
      "Description": {
        "type": "object",
        "required": ["image", "width", "height", "summary", "faces"],
        "properties": {
          "image": {"type": "string"},
          "width": {"type": "integer"},
          "height": {"type": "integer"},
          "summary": {"type": "string", "description": "How many faces, in a sentence."},
          "faces": {"type": "array", "items": {"$ref": "#/components/schemas/DescribedFace"}}
        }
      },
      "DescribedFace": {
        "type": "object",
        "required": ["face", "position", "description", "box", "score", "age", "gender", "sharpness", "enrolment"],
        "properties": {
          "face": {"type": "integer", "minimum": 1, "description": "Number, counted from the left of the picture."},
          "position": {"type": "string", "description": "Where it is, in words (e.g. \"on the left\")."},
          "description": {"type": "string", "description": "The sentence: apparent age and gender with how sure, expression, pose, identity, fitness for enrolment."},
          "box": {"$ref": "#/components/schemas/Box"},
          "score": {"type": "number"},
          "age": {"type": "number", "nullable": true},
          "gender": {"type": "object", "nullable": true, "required": ["label", "score"], "properties": {"label": {"type": "string"}, "score": {"type": "number"}}},
          "expression": {"type": "object", "required": ["label", "score"], "properties": {"label": {"type": "string"}, "score": {"type": "number"}}},
          "mask": {"type": "object", "required": ["wearing", "score"], "properties": {"wearing": {"type": "boolean"}, "score": {"type": "number", "nullable": true}}},
          "pose": {"type": "object", "required": ["facing", "yaw", "roll"], "properties": {"facing": {"type": "string"}, "yaw": {"type": "number"}, "roll": {"type": "number"}}},
          "sharpness": {"type": "number", "nullable": true, "description": "Laplacian variance of the aligned crop."},
          "enrolment": {"type": "object", "required": ["fit", "problems"], "properties": {"fit": {"type": "boolean"}, "problems": {"type": "array", "items": {"type": "string"}}}},
          "identity": {"type": "object", "required": ["name", "similarity", "threshold"], "properties": {"name": {"type": "string", "nullable": true, "description": "null: nobody in the gallery reaches the threshold."}, "similarity": {"type": "number", "nullable": true}, "threshold": {"type": "number"}}}
        }
      },
      "Answer": {
        "type": "object",
        "required": ["question", "answer", "value", "confidence", "source"],
        "properties": {
          "question": {"type": "string"},
          "answer": {"type": "string", "description": "One or two sentences."},
          "value": {"nullable": true, "description": "A boolean for yes/no questions, a number for numeric ones, a string for labels, null when declined.", "oneOf": [{"type": "boolean"}, {"type": "number"}, {"type": "string"}]},
          "confidence": {"type": "number", "nullable": true, "description": "The model's probability, when it gives one."},
          "source": {"type": "string", "description": "The model or gallery that produced the answer; none when declined."}
        }
      },
      "Analysis": {
        "type": "object",
        "required": ["image", "width", "height", "faces"],
        "properties": {
          "image": {"type": "string", "description": "The upload's file name, else its field name (`image`)."},
          "width": {"type": "integer"},
          "height": {"type": "integer"},
          "faces": {"type": "array", "items": {"$ref": "#/components/schemas/Face"}}
        }
      },
      "Verification": {
        "type": "object",
        "required": ["similarity", "threshold", "same", "method"],
        "properties": {
          "similarity": {"type": "number", "description": "Cosine similarity of the two largest faces' embeddings."},
          "threshold": {"type": "number", "description": "Unless the request fixes one, the threshold of the pair's condition: 0.303 with neither face masked, 0.401 with one, 0.578 with both (each at a false-accept rate of 1e-3)."},
          "same": {"type": "boolean", "description": "similarity >= threshold."},
          "method": {"type": "string", "enum": ["sface", "attention_head"], "description": "sface: SFace's embeddings. attention_head: the masked-face attention head's embeddings, used when the mask classifier calls either face masked."},
          "condition": {"type": "string", "enum": ["unmasked", "one_masked", "both_masked"], "description": "How many of the two faces the mask classifier called masked."},
          "first_masked": {"type": "boolean", "description": "Whether the face of `a` was called masked."},
          "second_masked": {"type": "boolean", "description": "Whether the face of `b` was called masked."},
          "explanation": {"$ref": "#/components/schemas/Explanation"}
        }
      },
      "Explanation": {
        "type": "object",
        "description": "Only with ?explain=true. Each aligned 112x112 face is divided into grid x grid cells. occlusion: a cell's value is how much the similarity drops when that region is hidden (positive: it supported the match; negative: it worked against it). attention (when the faces were compared through the masked-face attention head): the head's visible-face weight of the cell, 0 to 1.",
        "required": ["method", "grid", "a", "b", "image"],
        "properties": {
          "method": {"type": "string", "enum": ["occlusion", "attention"]},
          "grid": {"type": "integer"},
          "a": {"type": "array", "description": "Rows of cells of face a, from the top left.", "items": {"type": "array", "items": {"type": "number"}}},
          "b": {"type": "array", "description": "Rows of cells of face b.", "items": {"type": "array", "items": {"type": "number"}}},
          "image": {"type": "string", "description": "Both faces side by side under their maps (red supported the match, blue worked against it), as a PNG data URL."}
        }
      },
      "Candidate": {
        "type": "object",
        "required": ["id", "name", "similarity"],
        "properties": {"id": {"type": "integer", "format": "int64"}, "name": {"type": "string"}, "similarity": {"type": "number"}}
      },
      "Identification": {
        "type": "object",
        "required": ["image", "faces"],
        "properties": {
          "image": {"type": "string"},
          "faces": {
            "type": "array",
            "items": {
              "type": "object",
              "required": ["box", "identity", "candidates", "method", "threshold", "masked"],
              "properties": {
                "box": {"$ref": "#/components/schemas/Box"},
                "method": {"type": "string", "enum": ["sface", "attention_head"], "description": "attention_head: the face was called masked and compared through the masked-face attention head."},
                "threshold": {"type": "number", "description": "The threshold the best similarity was compared with: the gallery's, or its masked threshold."},
                "masked": {"type": "boolean", "nullable": true, "description": "Whether the mask classifier called the face masked."},
                "warning": {"type": "string", "description": "Present when the search could not be done as designed, e.g. templates without an attention-head embedding (`visage gallery reembed`)."},
                "identity": {
                  "type": "object",
                  "required": ["id", "name", "similarity"],
                  "properties": {
                    "id": {"type": "integer", "format": "int64", "nullable": true, "description": "null when unknown."},
                    "name": {"type": "string", "nullable": true, "description": "null when unknown."},
                    "similarity": {"type": "number", "nullable": true, "description": "Best similarity in the gallery; null for an empty gallery."}
                  }
                },
                "candidates": {"type": "array", "items": {"$ref": "#/components/schemas/Candidate"}}
              }
            }
          }
        }
      },
      "Person": {
        "type": "object",
        "required": ["id", "name", "metadata", "templates", "created"],
        "properties": {
          "id": {"type": "integer", "format": "int64"},
          "name": {"type": "string"},
          "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
          "templates": {"type": "integer", "description": "How many templates the person has."},
          "created": {"type": "string", "format": "date-time"}
        }
      },
      "Template": {
        "type": "object",
        "required": ["id", "model", "sha256", "box", "quality", "created"],
        "properties": {
          "id": {"type": "integer", "format": "int64"},
          "model": {"type": "string"},
          "sha256": {"type": "string", "nullable": true, "description": "Hex SHA-256 of the source image's bytes."},
          "box": {"allOf": [{"$ref": "#/components/schemas/Box"}], "nullable": true},
          "quality": {"type": "number", "nullable": true},
          "created": {"type": "string", "format": "date-time"},
          "masked": {"type": "boolean", "nullable": true, "description": "Whether the mask classifier called the enrolment face masked."},
          "attention_head": {"type": "boolean", "description": "Whether the template holds the attention head's embedding, which masked faces are compared with."}
        }
      },
      "PersonDetail": {
        "allOf": [
          {"$ref": "#/components/schemas/Person"},
          {"type": "object", "required": ["template_list"], "properties": {"template_list": {"type": "array", "items": {"$ref": "#/components/schemas/Template"}},
            "warning": {"type": "string", "description": "Present when a photo shows a masked face: unmasked photos match such a template poorly."}}}
        ]
      },
      "AuditLog": {
        "type": "object",
        "required": ["entries"],
        "properties": {
          "entries": {"type": "array", "items": {
            "type": "object",
            "required": ["time", "actor", "role", "operation", "person_ids", "outcome", "request_id"],
            "properties": {
              "time": {"type": "string", "format": "date-time"},
              "actor": {"type": "string", "description": "The API key's name (never the key), `unauthenticated`, or the OS user for CLI entries."},
              "role": {"type": "string", "nullable": true, "enum": ["read", "admin", null]},
              "operation": {"type": "string", "enum": ["enroll", "add_faces", "identify", "verify", "list_people", "view_person", "delete", "export", "import"]},
              "person_ids": {"type": "array", "items": {"type": "integer"}},
              "outcome": {"type": "string", "description": "`ok`, or the error code the request was refused with."},
              "request_id": {"type": "string", "nullable": true}
            }
          }}
        }
      },
      "PeopleList": {
        "type": "object",
        "required": ["people"],
        "properties": {"people": {"type": "array", "items": {"$ref": "#/components/schemas/Person"}}}
      },
      "Deletion": {
        "type": "object",
        "required": ["id", "deleted", "templates"],
        "properties": {"id": {"type": "integer", "format": "int64"}, "deleted": {"type": "boolean"}, "templates": {"type": "integer"}}
      },
      "Health": {
        "type": "object",
        "required": ["status", "analyses_running", "requests_waiting"],
        "properties": {
          "status": {"type": "string", "enum": ["ok"]},
          "analyses_running": {"type": "integer"},
          "requests_waiting": {"type": "integer"}
        }
      }
    }
  }
}
"""#
}
