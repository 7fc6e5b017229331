# HTML reports are single files: uPlot (from web/node_modules, installed by `npm ci --prefix web`
# in scripts/setup.sh) and the report's own script and style are compiled into the library as
# string constants. Editing any of these files re-runs the configure step.
set(GUTSKIN_UPLOT_DIR ${PROJECT_SOURCE_DIR}/web/node_modules/uplot)
if(NOT EXISTS ${GUTSKIN_UPLOT_DIR}/dist/uPlot.iife.min.js
   OR NOT EXISTS ${GUTSKIN_UPLOT_DIR}/dist/uPlot.min.css)
  message(FATAL_ERROR
    "gutskin: web/node_modules/uplot is missing. HTML reports embed this charting library at "
    "build time. Run scripts/setup.sh (or just `npm ci --prefix web`), then configure again.")
endif()

# Reads `file` into `var`, checking it cannot end the raw string literal or the HTML element it
# goes into.
function(gutskin_read_asset var file)
  file(READ ${file} content)
  string(FIND "${content}" ")gutskin_asset\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "gutskin: ${file} contains the raw-string delimiter ')gutskin_asset\"'")
  endif()
  # It goes inside <script>/<style> elements, which such text would close early.
  string(TOLOWER "${content}" lower)
  foreach(closing "</script" "</style")
    string(FIND "${lower}" "${closing}" at)
    if(NOT at EQUAL -1)
      message(FATAL_ERROR "gutskin: ${file} contains '${closing}', which would end its element")
    endif()
  endforeach()
  set(${var} "${content}" PARENT_SCOPE)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${file})
endfunction()

gutskin_read_asset(GUTSKIN_UPLOT_JS ${GUTSKIN_UPLOT_DIR}/dist/uPlot.iife.min.js)
gutskin_read_asset(GUTSKIN_UPLOT_CSS ${GUTSKIN_UPLOT_DIR}/dist/uPlot.min.css)
gutskin_read_asset(GUTSKIN_REPORT_JS ${PROJECT_SOURCE_DIR}/src/report/report.js)
gutskin_read_asset(GUTSKIN_REPORT_CSS ${PROJECT_SOURCE_DIR}/src/report/report.css)
file(READ ${GUTSKIN_UPLOT_DIR}/package.json uplot_package)
string(JSON GUTSKIN_UPLOT_VERSION GET "${uplot_package}" version)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${GUTSKIN_UPLOT_DIR}/package.json)

configure_file(${PROJECT_SOURCE_DIR}/src/report/report_assets.cpp.in
               ${PROJECT_BINARY_DIR}/generated/report_assets.cpp @ONLY)
target_sources(gutskin PRIVATE ${PROJECT_BINARY_DIR}/generated/report_assets.cpp)
