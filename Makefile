.PHONY: run test

run:  ## install into .venv and run LearnFlow on its embedded default (SQLite, no servers)
	bash scripts/run.sh

test:  ## install test needs, start PostgreSQL and Redis, run every gate and the whole suite
	bash scripts/test.sh $(ARGS)
