# One image for every role: web (gunicorn), asgi (uvicorn, the WebSockets), worker, beat and one-off
# manage.py commands.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
RUN groupadd --system learnflow && useradd --system --gid learnflow --home-dir /app --shell /usr/sbin/nologin learnflow

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# Static files for the admin and the API docs, served by whitenoise under gunicorn.
RUN DJANGO_DEBUG=0 DJANGO_SECRET_KEY=collectstatic-only LEARNFLOW_VAR_DIR=/tmp/build-var \
    python manage.py collectstatic --noinput \
    && rm -rf /tmp/build-var \
    && mkdir -p /app/var && chown learnflow:learnflow /app/var

USER learnflow
EXPOSE 8000 8001
# --keep-alive 5: a signed-in SPA calls every few seconds; with gunicorn's default of 2 s the server
# closed idle connections as the next request went out on them (bench/load/, "Load and capacity").
CMD ["gunicorn", "learnflow.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--threads", "2", "--access-logfile", "-", "--timeout", "30", "--keep-alive", "5", "--no-control-socket"]
