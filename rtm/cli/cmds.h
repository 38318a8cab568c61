/* cmds.h (CLI only): the subcommands. Each takes argv with argv[0] = name. */
#ifndef RTM_CMDS_H
#define RTM_CMDS_H
int rtm_cmd_kde(int argc, char **argv);
int rtm_cmd_distance(int argc, char **argv);
int rtm_cmd_model(int argc, char **argv);
int rtm_cmd_evaluate(int argc, char **argv);
int rtm_cmd_hotspots(int argc, char **argv);
int rtm_cmd_change(int argc, char **argv);
int rtm_cmd_emerging(int argc, char **argv);
int rtm_cmd_knox(int argc, char **argv);
int rtm_cmd_repeats(int argc, char **argv);
int rtm_cmd_run(int argc, char **argv);
int rtm_cmd_forecast(int argc, char **argv);
int rtm_cmd_dosage(int argc, char **argv);
int rtm_cmd_places(int argc, char **argv);
int rtm_cmd_trial(int argc, char **argv);
int rtm_cmd_merge(int argc, char **argv);
#endif
