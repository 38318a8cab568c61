/* rtm.h: the whole public API of librtm, Risk Terrain Modeling and hot-spot
 * mapping. Link with `pkg-config --cflags --libs rtm`.
 *
 * The data flow, one header per stage:
 *   rtm/error.h, rtm/grid.h   errors, progress, the grid and surfaces
 *   rtm/input.h               events and layers through OGR/PROJ, study areas
 *   rtm/surface.h             kernel density, distance, Gi* hot spots
 *   rtm/glm.h, rtm/model.h    GLMs and the Risk Terrain Model
 *   rtm/evaluate.h            hit rate, PAI, PEI, concentration, back-tests
 *   rtm/evaluate_truth.h      coverages as areas, bootstrap, paired tests, refits
 *   rtm/output.h              GeoTIFF + style, PNG maps and charts, reports
 *   rtm/product.h             one call per analysis (kde, distance, hotspots,
 *                             model, evaluate): options in, file set out
 *   rtm/trial.h               randomised patrol trials: design and evaluation
 *   rtm/job.h                 job files, the layer catalogue, nightly runs
 *   rtm/jobunits.h            a run fanned out as units (batch arrays)
 *   rtm/change.h              change between periods: dual KDE, permutation
 *                             test, Andresen's SPPT, and its product
 *   rtm/forecast.h            the forecast: model, back-test and product
 *   rtm/knox.h                near repeats (Knox test), repeat locations,
 *                             the day x hour table, and their products
 *
 * Thread safety: every function fills a caller-owned rtm_error and keeps no
 * global state, so calls on different data may run on different threads;
 * functions that use GDAL/OGR (reading and writing files) say so and must
 * not share a GDAL handle between threads. Computations run in parallel
 * with OpenMP and give the same bytes for any thread count. */
#ifndef RTM_H
#define RTM_H

#include "rtm/error.h"
#include "rtm/grid.h"
#include "rtm/input.h"
#include "rtm/surface.h"
#include "rtm/kde_plus.h"
#include "rtm/glm.h"
#include "rtm/model.h"
#include "rtm/model_tiles.h"
#include "rtm/evaluate.h"
#include "rtm/evaluate_truth.h"
#include "rtm/output.h"
#include "rtm/product.h"
#include "rtm/trial.h"
#include "rtm/job.h"
#include "rtm/jobunits.h"
#include "rtm/change.h"
#include "rtm/forecast.h"
#include "rtm/dosage.h"
#include "rtm/places.h"
#include "rtm/emerging.h"
#include "rtm/knox.h"
#include "rtm/tile.h"

#endif
