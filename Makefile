.PHONY: run test smoke

run:  ## install into .venv and run LearnFlow on its embedded default (SQLite, no servers)
	bash scripts/run.sh

test:  ## install test needs, start PostgreSQL and Redis, run every gate, the whole suite and the smoke stage
	bash scripts/test.sh $(ARGS)

smoke:  ## only the production smoke stage: requirements.txt alone, gunicorn, uvicorn, worker and beat over HTTP and WebSocket
	bash scripts/smoke.sh
