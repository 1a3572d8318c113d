# ragmesh — one entry point for developers and CI. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help
LOCAL := deploy/local

.PHONY: help install build generate lint typecheck test test-unit test-integration stack-up stack-down stack-status up down logs bench bench-scale bench-kafka-clients bench-reindex chaos eval clean

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

install: ## install tools (pnpm, Maven, Java) and dependencies
	@$(LOCAL)/ensure-tools.sh
	@pnpm install --frozen-lockfile --reporter=silent

build: install ## compile every package and service (tsc -b)
	@pnpm -s build

generate: ## regenerate TypeScript event types from schemas/*.avsc
	@pnpm -s generate

lint: install
	@pnpm -s lint

typecheck: build
	@pnpm -s typecheck

test: install ## everything CI runs: stack, build, lint, typecheck, unit and integration tests
	@$(LOCAL)/test.sh

test-unit: build ## unit tests only (no services needed)
	@pnpm -s vitest run --project unit

test-integration: build ## integration tests against a private stack (never the one of make up)
	@$(LOCAL)/models.sh
	@$(LOCAL)/private-stack.sh test --fresh -- pnpm -s vitest run --project integration

stack-up: build ## start Kafka, Apicurio, Postgres+pgvector and Redis (idempotent)
	@$(LOCAL)/stack.sh up

stack-down: ## stop the stack components this project started
	@$(LOCAL)/stack.sh down

stack-status: ## show each stack component
	@$(LOCAL)/stack.sh status

up: stack-up ## run the whole mesh in the background and print its URLs
	@$(LOCAL)/models.sh
	@$(LOCAL)/mesh.sh up

down: ## stop the mesh services and the stack started by make up
	@$(LOCAL)/mesh.sh down
	@$(LOCAL)/stack.sh down

logs: ## follow the logs of the mesh services
	@$(LOCAL)/mesh.sh logs

bench: build ## ingestion, query cost/saturation and quantized-model benchmarks, then bench/results/summary.json (quick run: make bench BENCH_DOCS=500 BENCH_SECONDS=10)
	@$(LOCAL)/models.sh --quantized
	@$(LOCAL)/private-stack.sh bench -- bash -c 'cd bench && node src/ingest-bench.mjs && node src/query-latency.mjs && node src/quantized-bench.mjs && node src/summary.mjs'

bench-scale: build ## search cost and recall at 100k and 1M chunks, database ragmesh_scale of the bench stack kept between runs (the first run fills it: long) -> bench/results/scale.*
	@$(LOCAL)/private-stack.sh bench -- bash -c 'RAGMESH_DB=ragmesh_scale $(LOCAL)/postgres.sh up && cd bench && DATABASE_URL=$${DATABASE_URL%/*}/ragmesh_scale node src/scale-bench.mjs && node src/summary.mjs'

bench-kafka-clients: build ## the bare Kafka request/reply under the query path, kafkajs against @platformatic/kafka, alternating passes -> bench/results/kafka-clients.*
	@$(LOCAL)/private-stack.sh bench -- bash -c 'cd bench && node src/kafka-clients.mjs'

bench-reindex: build ## re-index MiniLM -> bge-small through the CLI vs a bge first ingest -> bench/results/reindex.* (quick: BENCH_DOCS=1000)
	@$(LOCAL)/models.sh
	@$(LOCAL)/private-stack.sh reindex --fresh -- bash -c 'cd bench && node src/reindex-bench.mjs'

chaos: build ## fault-injection run (broker/Postgres/Redis/registry/embedding-API outages, worker kill -9) over SciFact on a stack of its own -> bench/results/chaos.*
	@$(LOCAL)/private-stack.sh chaos --fresh -- node bench/src/chaos.mjs

eval: build ## retrieval quality on BEIR SciFact (nDCG@10, recall@100), MiniLM (fp32 and int8) and bge-small -> bench/results/eval-scifact.*
	@$(LOCAL)/models.sh --quantized
	@$(LOCAL)/private-stack.sh bench -- bash -c 'cd bench && node src/eval-scifact.mjs'

clean: ## remove build output (keeps .state)
	@rm -rf packages/*/dist services/*/dist tests/*/dist
