# One image holding both processes: the web (default command) and the standalone silo
# (command: dotnet /app/silo/Maneiro.Silo.dll). Each migrates the database before it serves.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig Maneiro.sln ./
COPY Maneiro.Grains.Interfaces/Maneiro.Grains.Interfaces.csproj Maneiro.Grains.Interfaces/packages.lock.json Maneiro.Grains.Interfaces/
COPY Maneiro.Grains/Maneiro.Grains.csproj Maneiro.Grains/packages.lock.json Maneiro.Grains/
COPY Maneiro.Infrastructure/Maneiro.Infrastructure.csproj Maneiro.Infrastructure/packages.lock.json Maneiro.Infrastructure/
COPY Maneiro.Silo/Maneiro.Silo.csproj Maneiro.Silo/packages.lock.json Maneiro.Silo/
COPY Maneiro.Web/Maneiro.Web.csproj Maneiro.Web/packages.lock.json Maneiro.Web/
RUN dotnet restore Maneiro.Web/Maneiro.Web.csproj && dotnet restore Maneiro.Silo/Maneiro.Silo.csproj
COPY Maneiro.Grains.Interfaces/ Maneiro.Grains.Interfaces/
COPY Maneiro.Grains/ Maneiro.Grains/
COPY Maneiro.Infrastructure/ Maneiro.Infrastructure/
COPY Maneiro.Silo/ Maneiro.Silo/
COPY Maneiro.Web/ Maneiro.Web/
ARG MANEIRO_COMMIT=unknown
RUN dotnet publish Maneiro.Web/Maneiro.Web.csproj -c Release -o /out/web --no-restore -p:MANEIRO_COMMIT=$MANEIRO_COMMIT \
 && dotnet publish Maneiro.Silo/Maneiro.Silo.csproj -c Release -o /out/silo --no-restore -p:MANEIRO_COMMIT=$MANEIRO_COMMIT

# The PDF text server (native/pdftext-server.cc), built against the runtime image's own poppler.
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS native
RUN apt-get update \
 && apt-get install -y --no-install-recommends g++ libpoppler-private-dev \
 && rm -rf /var/lib/apt/lists/*
COPY native/pdftext-server.cc /src/
RUN g++ -O2 -std=c++17 -Wall -Wextra -isystem /usr/include/poppler /src/pdftext-server.cc -lpoppler -o /pdftext-server

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends tesseract-ocr poppler-utils ffmpeg fonts-dejavu-core curl \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /out/web /app/web
COPY --from=build /out/silo /app/silo
COPY --from=native /pdftext-server /app/bin/pdftext-server
# The aspnet image ships an unprivileged 'app' user (uid 1654).
USER app
# Tiered compilation is off in the web and silo projects (Directory.Build.props), so the framework's ReadyToRun code
# would stay for good: DOTNET_ReadyToRun=0 has the JIT compile it once, optimized (see README, performance).
ENV ASPNETCORE_URLS=http://+:8080 \
    DOTNET_gcServer=1 \
    DOTNET_ReadyToRun=0 \
    Pdf__TextServerPath=/app/bin/pdftext-server
EXPOSE 8080 11111 30000
WORKDIR /app/web
CMD ["dotnet", "/app/web/Maneiro.Web.dll"]
