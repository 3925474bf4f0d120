# Image for web, worker and beat in docker-compose.yml.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN DEBUG=false SECRET_KEY=build-only-collectstatic-key-not-secret-0123456789abcdef \
    python manage.py collectstatic --noinput
RUN mkdir -p /app/var/signing && useradd --create-home portal && chown -R portal /app
USER portal
EXPOSE 8000
CMD ["gunicorn", "vssid_portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
