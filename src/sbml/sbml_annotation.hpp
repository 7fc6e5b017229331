// The `gutskin:` annotation that export writes on each SBML element (kind, unit, source,
// description, bounds, ...) and import reads back, so a round trip keeps what SBML cannot say.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <sbml/SBMLTypes.h>

namespace gutskin::detail {

inline constexpr const char* kGutskinSbmlNs = "https://gutskin.org/sbml/annotation/1";
inline constexpr const char* kGutskinSbmlPrefix = "gutskin";

/// Attributes of the element's <gutskin:info .../> annotation (empty if none).
inline std::map<std::string, std::string> read_gutskin_annotation(const ::SBase* e) {
  std::map<std::string, std::string> out;
  if (e == nullptr || !e->isSetAnnotation()) return out;
  const ::XMLNode* ann = const_cast<::SBase*>(e)->getAnnotation();
  if (ann == nullptr) return out;
  for (unsigned i = 0; i < ann->getNumChildren(); ++i) {
    const ::XMLNode& child = ann->getChild(i);
    if (child.getURI() != kGutskinSbmlNs || child.getName() != "info") continue;
    const ::XMLAttributes& a = child.getAttributes();
    for (int j = 0; j < a.getLength(); ++j) out[a.getName(j)] = a.getValue(j);
  }
  return out;
}

/// The children of the element's <gutskin:info> annotation (e.g. phenotypes on the model).
inline std::vector<const ::XMLNode*> gutskin_annotation_children(const ::SBase* e) {
  std::vector<const ::XMLNode*> out;
  if (e == nullptr || !e->isSetAnnotation()) return out;
  const ::XMLNode* ann = const_cast<::SBase*>(e)->getAnnotation();
  if (ann == nullptr) return out;
  for (unsigned i = 0; i < ann->getNumChildren(); ++i) {
    const ::XMLNode& info = ann->getChild(i);
    if (info.getURI() != kGutskinSbmlNs || info.getName() != "info") continue;
    for (unsigned j = 0; j < info.getNumChildren(); ++j) {
      if (info.getChild(j).isElement()) out.push_back(&info.getChild(j));
    }
  }
  return out;
}

}  // namespace gutskin::detail
