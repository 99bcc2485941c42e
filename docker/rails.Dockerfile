# The Rails app of integration_test/rails: Debian 12's Rails 6.1 on Ruby 3.1,
# served by WEBrick, exactly what the integration tests run.
# Built by compose.yaml with integration_test/rails as the context.

FROM debian:bookworm-slim
RUN apt-get update \
	&& apt-get install -y --no-install-recommends ruby-rails \
	&& rm -rf /var/lib/apt/lists/*
COPY . /srv/rails
# The app writes nothing to disk: any user will do.
USER nobody
ENV HOST=0.0.0.0 PORT=3000
EXPOSE 3000
CMD ["/srv/rails/start.sh"]
